using LlmTrack.Delivery;

namespace LlmTrack.Tests.Delivery;

/// <summary>
/// The wake-up protocol between a run's writers, its closer and its sender, driven one step at a time.
/// </summary>
public class SenderWakeupTests
{
    [Fact]
    public async Task ASealSeenWithoutADrainRequestStillDrains()
    {
        // The race behind "expected 37873, got 35000": the sender read the drain request (none yet), then the closer
        // sealed, then the sender read the seal. Its last pass then sent only the full batches and stopped, and the
        // partial ones accepted before the end were never sent. Whatever the interleaving, a last pass drains.
        var wakeup = new SenderWakeup();
        wakeup.Seal();

        var pass = await wakeup.WaitAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(new SenderPass(Drain: true, Last: true), pass);
    }

    [Fact]
    public async Task ASealAfterAPassBeganWakesTheSenderForALastDrainingPass()
    {
        var wakeup = new SenderWakeup();
        wakeup.Wake(); // a writer filled a batch
        Assert.Equal(new SenderPass(Drain: false, Last: false), await wakeup.WaitAsync().WaitAsync(TimeSpan.FromSeconds(20)));

        var next = wakeup.WaitAsync();
        Assert.False(next.IsCompleted);
        wakeup.Seal();

        Assert.Equal(new SenderPass(Drain: true, Last: true), await next.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task WakesBeforeAPassCoalesceAndADrainRequestIsKept()
    {
        var wakeup = new SenderWakeup();
        wakeup.Wake();
        wakeup.WakeToDrain();
        wakeup.Wake();

        Assert.Equal(new SenderPass(Drain: true, Last: false), await wakeup.WaitAsync().WaitAsync(TimeSpan.FromSeconds(20)));

        // One pass for the three wakes; the next waits for another one, which is not a drain.
        var next = wakeup.WaitAsync();
        Assert.False(next.IsCompleted);
        wakeup.Wake();
        Assert.Equal(new SenderPass(Drain: false, Last: false), await next.WaitAsync(TimeSpan.FromSeconds(20)));
    }
}
