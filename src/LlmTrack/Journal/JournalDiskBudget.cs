using System.Collections.Concurrent;

namespace LlmTrack.Journal;

/// <summary>
/// The disk cap (<see cref="JournalOptions.MaxTotalBytes"/>) of one journal root — the journals of one tracking server
/// and the artifacts they spool — in this process: one budget per root, used by every <see cref="JournalWriter"/>
/// (through its <see cref="Meter"/>) and by every artifact spool (through a <see cref="Reservation"/>).
/// </summary>
/// <remarks>
/// A writer measures the other files under the root now and then (at most once a second while over the cap) and adds
/// its own segment; a spool measures the root and adds the spools being written right now (reserved, so two concurrent
/// spools cannot both take the last bytes).
/// </remarks>
internal sealed class JournalDiskBudget
{
    private static readonly ConcurrentDictionary<string, JournalDiskBudget> Budgets = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _reserved;

    private JournalDiskBudget(string root) => Root = root;

    /// <summary>The journal root the budget is of.</summary>
    public string Root { get; }

    /// <summary>The budget of the journal root <paramref name="root"/> in this process.</summary>
    public static JournalDiskBudget For(string root) => Budgets.GetOrAdd(root, static r => new JournalDiskBudget(r));

    /// <summary>A writer's view of the budget (settings from <paramref name="options"/>).</summary>
    public Meter OpenMeter(JournalOptions options) => new(this, options);

    /// <summary>Reserves <paramref name="bytes"/> for a spool (measuring the disk under <see cref="JournalOptions.Root"/> first).</summary>
    /// <exception cref="JournalDiskCapExceededException">They do not fit under <see cref="JournalOptions.MaxTotalBytes"/>.</exception>
    public Reservation Reserve(JournalOptions options, string artifactPath, long bytes)
    {
        ArgumentNullException.ThrowIfNull(options);
        long measured;
        try
        {
            measured = JournalFiles.MeasureUsage(options.Root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw JournalException.From(ex, options.Root, "measure the journal folder");
        }

        var reservation = new Reservation(this, options, artifactPath, measured);
        try
        {
            reservation.EnsureAtLeast(bytes);
        }
        catch
        {
            reservation.Dispose();
            throw;
        }

        return reservation;
    }

    /// <summary>
    /// One writer's view of the budget: the bytes of everything under the root but its own segment (measured, plus
    /// what was counted since), against which its segment and write buffer are checked.
    /// </summary>
    internal sealed class Meter(JournalDiskBudget budget, JournalOptions options)
    {
        private long _otherBytes;
        private long _lastMeasured;

        /// <summary>Measures everything under the root except <paramref name="ownSegment"/> (keeps the last measurement when that fails).</summary>
        public void Measure(string ownSegment)
        {
            _lastMeasured = Now();
            try
            {
                // Segments of every journal of this server plus the artifacts they spool: one cap for all of it.
                _otherBytes = JournalFiles.MeasureUsage(budget.Root, ownSegment);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Keep the last measurement.
            }
        }

        /// <summary>
        /// Whether <paramref name="ownBytes"/> (the writer's segment and buffer) would take the root past the cap,
        /// measuring again first (at most once a second) when they seem to.
        /// </summary>
        public bool IsOverCap(long ownBytes, string ownSegment)
        {
            if (_otherBytes + ownBytes <= options.MaxTotalBytes)
            {
                return false;
            }

            if (Now() - _lastMeasured >= 1000)
            {
                Measure(ownSegment);
            }

            return _otherBytes + ownBytes > options.MaxTotalBytes;
        }

        /// <summary>
        /// Counts bytes that are no longer the writer's own segment (a segment rolled over, a spooled artifact) at once,
        /// without waiting for the next measurement, which replaces the estimate.
        /// </summary>
        public void Count(long bytes) => _otherBytes += bytes;

        private long Now() => options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>Bytes reserved for one spool; released when disposed (the file on disk counts from then on).</summary>
    internal sealed class Reservation(JournalDiskBudget budget, JournalOptions options, string artifactPath, long measured) : IDisposable
    {
        private long _bytes;

        /// <summary>Grows the reservation to <paramref name="total"/> bytes.</summary>
        /// <exception cref="JournalDiskCapExceededException">They do not fit under the cap.</exception>
        public void EnsureAtLeast(long total)
        {
            if (total <= _bytes)
            {
                return;
            }

            lock (budget._gate)
            {
                var others = budget._reserved - _bytes;
                var cap = options.MaxTotalBytes;
                if (measured + others + total > cap)
                {
                    throw new JournalDiskCapExceededException(artifactPath, total, cap - measured - others, cap, options.Root);
                }

                budget._reserved += total - _bytes;
                _bytes = total;
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            lock (budget._gate)
            {
                budget._reserved -= _bytes;
                _bytes = 0;
            }
        }
    }
}
