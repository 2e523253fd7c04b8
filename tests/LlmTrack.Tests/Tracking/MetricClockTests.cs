using LlmTrack.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Tracking;

public class MetricClockTests
{
    [Fact]
    public void AFakeProviderIsAskedEveryTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var clock = MetricClock.For(time);
        Assert.Equal(1_700_000_000_000, clock.UnixMillisecondsNow());
        time.Advance(TimeSpan.FromMilliseconds(7));
        Assert.Equal(1_700_000_000_007, clock.UnixMillisecondsNow());
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1_700_003_600_007, clock.UnixMillisecondsNow());
    }

    [Fact]
    public void TheSystemClockStaysWithTheWallClock()
    {
        var clock = MetricClock.For(TimeProvider.System);
        Assert.Same(clock, MetricClock.For(TimeProvider.System));
        for (var i = 0; i < 1000; i++)
        {
            var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var stamped = clock.UnixMillisecondsNow();
            var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            // The coarse tick may lag by its granularity; the anchor is renewed every second.
            Assert.InRange(stamped, before - 1000, after + 1000);
        }
    }
}
