namespace LlmTrack.Resilience;

/// <summary>
/// An idle timeout for one streamed transfer attempt: cancels <see cref="Token"/> when no bytes have
/// moved for the idle period (like a socket read timeout), however long the whole transfer takes.
/// Timed by the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class TransferWatchdog : IDisposable
{
    private readonly CancellationTokenSource _idle;
    private readonly CancellationTokenSource _linked;
    private readonly TimeSpan _idleTimeout;

    /// <summary>Starts the watchdog; the idle period starts now.</summary>
    public TransferWatchdog(TimeSpan idleTimeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        _idleTimeout = idleTimeout;
        _idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _idle.Token);
        Touch();
    }

    /// <summary>Cancelled when the transfer stalls or the outer token is cancelled.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>Whether the idle timeout fired.</summary>
    public bool Fired => _idle.IsCancellationRequested;

    /// <summary>The idle period.</summary>
    public TimeSpan IdleTimeout => _idleTimeout;

    /// <summary>Records progress: the idle period starts again.</summary>
    public void Touch()
    {
        try
        {
            _idle.CancelAfter(_idleTimeout);
        }
        catch (ObjectDisposedException)
        {
            // The attempt is over.
        }
    }

    /// <summary>Wraps a stream so that every read counts as progress.</summary>
    public Stream Watch(Stream stream) => new WatchedStream(stream, this);

    /// <inheritdoc />
    public void Dispose()
    {
        _linked.Dispose();
        _idle.Dispose();
    }

    /// <summary>A read-only pass-through stream that touches the watchdog on every read.</summary>
    private sealed class WatchedStream(Stream inner, TransferWatchdog watchdog) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            watchdog.Touch();
            return read;
        }

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            watchdog.Touch();
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            watchdog.Touch();
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
