using LlmTrack.Metrics.Numerics;

namespace LlmTrack.Metrics.Tests.Numerics;

public class NumpySummationTests
{
    // Expected values printed by numpy 1.24.2 (np.sum, np.mean, np.std) for the same exactly-rounded inputs.
    [Theory]
    [InlineData(5, 294.50672647982054, 58.901345295964106, 129.2720847932797)]
    [InlineData(9, 43849.454148637546, 4872.161572070839, 15127.985379977903)]
    [InlineData(127, -453540.4142117573, -3571.1843638721048, 224351.59471273705)]
    [InlineData(128, -453540.4713115861, -3543.2849321217664, 223473.72408613173)]
    [InlineData(129, -453539.1084156749, -3515.807041981976, 222606.0787599755)]
    [InlineData(1000, -3660859.561208316, -3660.8595612083163, 219501.90567980596)]
    [InlineData(4099, -4671477.485821546, -1139.6627191562688, 218830.76717970168)]
    public void MatchesNumpyBitForBit(int n, double sum, double mean, double std)
    {
        var x = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = ((long)i * 7919 % 1000003) / 1000003.0 * (i % 2 == 0 ? 1 : -1) * Math.Pow(10, i % 7);
        }

        Assert.Equal(sum, NumpySummation.Sum(x));
        Assert.Equal(mean, NumpySummation.Mean(x));
        Assert.Equal(std, NumpySummation.StandardDeviation(x), 9);
    }
}
