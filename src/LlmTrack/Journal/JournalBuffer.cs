using System.Buffers.Binary;
using System.Text;

namespace LlmTrack.Journal;

/// <summary>A growable byte buffer with the journal's primitive encodings (little-endian, LEB128 varints, UTF-8 strings).</summary>
internal sealed class JournalBuffer
{
    private byte[] _data;

    /// <summary>Creates a buffer with an initial capacity.</summary>
    public JournalBuffer(int capacity = 64 * 1024) => _data = new byte[Math.Max(capacity, 64)];

    /// <summary>Bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>The written bytes.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _data.AsSpan(0, Length);

    /// <summary>The written bytes as memory.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _data.AsMemory(0, Length);

    /// <summary>Forgets the bytes after <paramref name="length"/>.</summary>
    public void Truncate(int length) => Length = length;

    /// <summary>Reserves <paramref name="count"/> bytes and returns them for writing.</summary>
    public Span<byte> Reserve(int count)
    {
        Ensure(count);
        var span = _data.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>The bytes at <paramref name="start"/> for patching.</summary>
    public Span<byte> Slice(int start, int length) => _data.AsSpan(start, length);

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value)
    {
        Ensure(1);
        _data[Length++] = value;
    }

    /// <summary>Writes an unsigned LEB128 varint.</summary>
    public void WriteVarUInt(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _data[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _data[Length++] = (byte)value;
    }

    /// <summary>Writes a signed varint (zig-zag).</summary>
    public void WriteVarInt(long value) => WriteVarUInt((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Writes a 64-bit integer, little-endian.</summary>
    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_data.AsSpan(Length), value);
        Length += 8;
    }

    /// <summary>Writes a double's exact bits (NaN payloads and −0.0 included).</summary>
    public void WriteDouble(double value) => WriteInt64(BitConverter.DoubleToInt64Bits(value));

    /// <summary>Writes a UTF-8 string with its byte length as a varint.</summary>
    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)count);
        Ensure(count);
        Length += Encoding.UTF8.GetBytes(value, _data.AsSpan(Length));
    }

    /// <summary>Writes a string that may be null (length + 1, 0 for null).</summary>
    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            WriteVarUInt(0);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)count + 1);
        Ensure(count);
        Length += Encoding.UTF8.GetBytes(value, _data.AsSpan(Length));
    }

    private void Ensure(int count)
    {
        if (Length + count <= _data.Length)
        {
            return;
        }

        var size = Math.Max(_data.Length * 2, Length + count);
        Array.Resize(ref _data, size);
    }
}

/// <summary>The data of a record did not decode (a format bug or corruption that passed the checksum).</summary>
internal sealed class JournalFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JournalFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public JournalFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public JournalFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Reads the encodings of <see cref="JournalBuffer"/> from a span.</summary>
internal ref struct JournalSpanReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Reads <paramref name="data"/> from its start.</summary>
    public JournalSpanReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Whether all bytes were read.</summary>
    public readonly bool AtEnd => _position == _data.Length;

    /// <summary>Reads one byte.</summary>
    public byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            throw new JournalFormatException("Record ends early.");
        }

        return _data[_position++];
    }

    /// <summary>Reads an unsigned varint.</summary>
    public ulong ReadVarUInt()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new JournalFormatException("Varint is too long.");
    }

    /// <summary>Reads an unsigned varint that must fit a non-negative <see cref="int"/> not above <paramref name="max"/>.</summary>
    public int ReadCount(int max)
    {
        var value = ReadVarUInt();
        if (value > (ulong)max)
        {
            throw new JournalFormatException($"Count {value} exceeds {max}.");
        }

        return (int)value;
    }

    /// <summary>Reads a zig-zag signed varint.</summary>
    public long ReadVarInt()
    {
        var raw = ReadVarUInt();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>Reads a little-endian 64-bit integer.</summary>
    public long ReadInt64()
    {
        if (_data.Length - _position < 8)
        {
            throw new JournalFormatException("Record ends early.");
        }

        var value = BinaryPrimitives.ReadInt64LittleEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    /// <summary>Reads a double's exact bits.</summary>
    public double ReadDouble() => BitConverter.Int64BitsToDouble(ReadInt64());

    /// <summary>Reads a UTF-8 string.</summary>
    public string ReadString() => ReadUtf8(ReadCount(_data.Length - _position));

    /// <summary>Reads a string that may be null.</summary>
    public string? ReadNullableString()
    {
        var lengthPlusOne = ReadCount(_data.Length - _position + 1);
        return lengthPlusOne == 0 ? null : ReadUtf8(lengthPlusOne - 1);
    }

    private string ReadUtf8(int count)
    {
        if (_data.Length - _position < count)
        {
            throw new JournalFormatException("String runs past the record.");
        }

        var value = Encoding.UTF8.GetString(_data.Slice(_position, count));
        _position += count;
        return value;
    }
}
