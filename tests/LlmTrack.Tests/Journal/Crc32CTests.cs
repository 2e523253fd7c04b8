using System.Text;
using LlmTrack.Journal;

namespace LlmTrack.Tests.Journal;

public class Crc32CTests
{
    [Fact]
    public void MatchesTheStandardCheckValue()
    {
        // The CRC-32C check value of "123456789" (RFC 3720 / the CRC catalogue).
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0xE3069283u, Crc32C.ComputeSoftware("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void RfcVectors()
    {
        // RFC 3720 B.4: 32 bytes of zeros, of 0xFF, ascending.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void HardwareAndSoftwarePathsAgreeAndAppendComposes()
    {
        var random = new Random(5);
        for (var length = 0; length < 300; length += 7)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Crc32C.ComputeSoftware(data), Crc32C.Compute(data));
            var split = length / 3;
            Assert.Equal(Crc32C.Compute(data), Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
        }

        Assert.NotEqual(Crc32C.Compute(Encoding.UTF8.GetBytes("a")), Crc32C.Compute(Encoding.UTF8.GetBytes("b")));
    }
}
