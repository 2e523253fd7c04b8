using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace LlmTrack.Rest.Tracing;

/// <summary>
/// The few protobuf wire-format primitives the OTLP trace request needs (varint, fixed64, length-delimited), written
/// into a growable buffer. A nested message is written into its own (reused) writer first and then copied in as bytes,
/// which is all the OTLP request needs (it is a few KB per batch).
/// </summary>
internal sealed class ProtobufWriter
{
    private const int VarintType = 0;
    private const int Fixed64Type = 1;
    private const int LengthDelimitedType = 2;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>Forgets what was written, keeping the buffer (writers are reused for nested messages).</summary>
    public void Clear() => _buffer.ResetWrittenCount();

    /// <summary>A copy of the bytes written.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Writes a varint field (int64, enum, bool); zero is written too (callers skip defaults).</summary>
    public void WriteVarint(int field, ulong value)
    {
        WriteTag(field, VarintType);
        WriteRawVarint(value);
    }

    /// <summary>Writes a fixed64 field (fixed64 timestamps, doubles through <see cref="BitConverter.DoubleToUInt64Bits"/>).</summary>
    public void WriteFixed64(int field, ulong value)
    {
        WriteTag(field, Fixed64Type);
        var span = _buffer.GetSpan(8);
        BinaryPrimitives.WriteUInt64LittleEndian(span, value);
        _buffer.Advance(8);
    }

    /// <summary>Writes a string field as UTF-8.</summary>
    public void WriteString(int field, string value)
    {
        WriteTag(field, LengthDelimitedType);
        var length = Encoding.UTF8.GetByteCount(value);
        WriteRawVarint((ulong)length);
        var span = _buffer.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        _buffer.Advance(length);
    }

    /// <summary>Writes a bytes field, or an embedded message given as its bytes.</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, LengthDelimitedType);
        WriteRawVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>Writes a bytes field from hex digits (trace and span ids).</summary>
    public void WriteHexBytes(int field, string hex) => WriteBytes(field, Convert.FromHexString(hex));

    private void WriteTag(int field, int wireType) => WriteRawVarint((ulong)((field << 3) | wireType));

    private void WriteRawVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }
}
