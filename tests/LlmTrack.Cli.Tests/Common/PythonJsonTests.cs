using LlmTrack.Cli.Common;

namespace LlmTrack.Cli.Tests.Common;

public class PythonJsonTests
{
    [Theory]
    [InlineData(46.6, "46.6")]
    [InlineData(50.0, "50.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(100.0, "100.0")]
    [InlineData(83.33333333333333, "83.33333333333333")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(0.000012, "1.2e-05")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void FloatsArePythonRepr(double value, string expected) => Assert.Equal(expected, PythonJson.FormatFloat(value));

    [Fact]
    public void DumpsLikePythonWithAndWithoutIndent()
    {
        var value = new PythonJsonObject
        {
            { "a", 1 },
            { "b", "μ \"q\" \\ \n\u0001" },
            { "c", new object?[] { 1.0, null, true } },
            { "d", new PythonJsonObject() },
            { "e", Array.Empty<object>() },
        };
        Assert.Equal("{\"a\": 1, \"b\": \"μ \\\"q\\\" \\\\ \\n\\u0001\", \"c\": [1.0, null, true], \"d\": {}, \"e\": []}", PythonJson.Dumps(value));
        Assert.Equal("{\n \"a\": 1,\n \"b\": \"μ \\\"q\\\" \\\\ \\n\\u0001\",\n \"c\": [\n  1.0,\n  null,\n  true\n ],\n \"d\": {},\n \"e\": []\n}", PythonJson.Dumps(value, 1));
    }
}
