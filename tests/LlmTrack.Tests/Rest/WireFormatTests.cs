using System.Text.Json;
using LlmTrack.Rest.Wire;

namespace LlmTrack.Tests.Rest;

/// <summary>The source-generated wire format: NaN/±∞ strings, exact doubles, integer int64 fields.</summary>
public sealed class WireFormatTests
{
    private static string Write(double value) =>
        JsonSerializer.Serialize(new WireMetric { Key = "k", Value = value, Timestamp = 1, Step = 2 }, MlflowJsonContext.Default.WireMetric);

    private static WireMetric Read(string json) => JsonSerializer.Deserialize(json, MlflowJsonContext.Default.WireMetric)!;

    [Theory]
    [InlineData(double.NaN, "\"NaN\"")]
    [InlineData(double.PositiveInfinity, "\"Infinity\"")]
    [InlineData(double.NegativeInfinity, "\"-Infinity\"")]
    [InlineData(1.5, "1.5")]
    [InlineData(-0.0, "-0")]
    public void NonFiniteAreStrings(double value, string expected) =>
        Assert.Equal($$"""{"key":"k","value":{{expected}},"timestamp":1,"step":2}""", Write(value));

    [Fact]
    public void FiniteDoublesRoundTripBitExactly()
    {
        var random = new Random(42);
        var bits = new byte[8];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(bits);
            var value = BitConverter.ToDouble(bits);
            if (!double.IsFinite(value))
            {
                continue;
            }

            var back = Read(Write(value)).Value;
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(back));
        }

        foreach (var edge in new[] { double.MaxValue, double.MinValue, double.Epsilon, 0.1, 1e-320, 123456789012345678.0 })
        {
            Assert.Equal(edge, Read(Write(edge)).Value);
        }
    }

    [Theory]
    [InlineData("\"NaN\"", double.NaN)]
    [InlineData("\"Infinity\"", double.PositiveInfinity)]
    [InlineData("\"-Infinity\"", double.NegativeInfinity)]
    [InlineData("\"inf\"", double.PositiveInfinity)]
    [InlineData("\"1.5\"", 1.5)]
    [InlineData("1.7976931348623157e308", double.MaxValue)]
    [InlineData("-1.7976931348623157e+308", double.MinValue)]
    [InlineData("true", 1.0)]
    public void ServerValuesAreRead(string json, double expected) =>
        Assert.Equal(expected, Read($$"""{"key":"k","value":{{json}},"timestamp":1,"step":0}""").Value);

    [Fact]
    public void Int64FieldsReadFromNumbersOrDecimalStringsWrittenAsIntegers()
    {
        var metric = Read("""{"key":"k","value":1,"timestamp":"1700000000000","step":"9223372036854775807"}""");
        Assert.Equal(1700000000000, metric.Timestamp);
        Assert.Equal(long.MaxValue, metric.Step);
        Assert.Contains("\"timestamp\":1700000000000,\"step\":9223372036854775807", JsonSerializer.Serialize(metric, MlflowJsonContext.Default.WireMetric));
    }

    [Fact]
    public void GarbageValueIsRejectedNotZero()
    {
        Assert.Throws<JsonException>(() => Read("""{"key":"k","value":"abc","timestamp":1,"step":0}"""));
        Assert.Throws<JsonException>(() => Read("""{"key":"k","value":[1],"timestamp":1,"step":0}"""));
    }

    [Fact]
    public void RequestsUseSnakeCaseAndOmitNulls()
    {
        var json = JsonSerializer.Serialize(new UpdateRunRequest { RunId = "r", EndTime = 5 }, MlflowJsonContext.Default.UpdateRunRequest);
        Assert.Equal("""{"run_id":"r","end_time":5}""", json);
    }
}
