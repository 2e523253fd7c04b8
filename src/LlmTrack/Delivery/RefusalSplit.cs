namespace LlmTrack.Delivery;

/// <summary>How a delivery path classifies an error of one send, for <see cref="RefusalSplit"/>.</summary>
internal enum RefusalKind
{
    /// <summary>Not a refusal (e.g. the server is unreachable): the error propagates and a later attempt resumes.</summary>
    Propagate,

    /// <summary>The request was refused for something other than a value (e.g. the run was deleted): splitting cannot help.</summary>
    Whole,

    /// <summary>A value was refused (<c>INVALID_PARAMETER_VALUE</c>): split to isolate it.</summary>
    Value,
}

/// <summary>
/// Split-on-refusal, the one copy every delivery path uses (the in-process queue's batches and the durable journal's
/// records): when the store refuses a batch for a value, its halves are sent again, and each refused half split again,
/// in logged order, until the refused values are isolated — so bad input never costs the other values of its batch.
/// </summary>
/// <remarks>
/// <para>
/// The state (the ranges still to send, the next on top) lives in this object, so an attempt that stops on an error
/// classified <see cref="RefusalKind.Propagate"/> is resumed by calling <see cref="SendAsync"/> again, and no part is
/// sent twice.
/// </para>
/// <para>
/// A batch whose two halves are both refused with exactly the batch's own error message is refused as a whole (the
/// problem is not a value, e.g. a server check on the run), which bounds such a batch to three requests. Two bad values
/// in different halves give different messages (MLflow names the key), so their good neighbours are still stored. The
/// second half is tried before the first half is split further; items of one batch have distinct keys (the packer
/// starts a new batch on a repeated param or tag key), so the order between halves does not change what is stored.
/// </para>
/// </remarks>
internal sealed class RefusalSplit
{
    private readonly Stack<Part> _parts = new();
    private Exception? _batchError;
    private long _retried;

    private enum Role
    {
        Whole,
        FirstHalf,
        SecondHalf,
        SecondHalfAfterEcho,
        RefusedFirstHalf,
        Part,
    }

    /// <summary>Whether <see cref="SendAsync"/> has started on its batch (later calls resume it).</summary>
    public bool Started { get; private set; }

    /// <summary>Items sent again because their batch was refused.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>
    /// Sends the <paramref name="count"/> items of one batch, splitting on value refusals; every item ends stored, or
    /// reported to <paramref name="refused"/>, unless an error classified <see cref="RefusalKind.Propagate"/> stops it
    /// (then call again to resume).
    /// </summary>
    /// <param name="count">How many items the batch has.</param>
    /// <param name="send">Sends the items [start, start + count); completes once stored, throws when not.</param>
    /// <param name="classify">What an error of <paramref name="send"/> means.</param>
    /// <param name="refused">Receives each range of items finally refused, with the error.</param>
    /// <returns>A task that completes once every item is stored or refused.</returns>
    public async Task SendAsync(int count, Func<int, int, Task> send, Func<Exception, RefusalKind> classify, Action<int, int, Exception> refused)
    {
        if (!Started)
        {
            Started = true;
            if (count > 0)
            {
                _parts.Push(new Part(0, count, Role.Whole));
            }
        }

        while (_parts.Count > 0)
        {
            var part = _parts.Peek();
            if (part.Role == Role.RefusedFirstHalf)
            {
                // Known refused (with the batch's message, but its sibling was not): split without sending it again.
                _parts.Pop();
                OnValueRefused(part, _batchError!, refused);
                continue;
            }

            try
            {
                if (part.Role != Role.Whole)
                {
                    Interlocked.Add(ref _retried, part.Count);
                }

                await send(part.Start, part.Count).ConfigureAwait(false);
                _parts.Pop();
            }
            catch (Exception error) when (classify(error) != RefusalKind.Propagate)
            {
                _parts.Pop();
                if (classify(error) == RefusalKind.Whole || part.Count == 1)
                {
                    refused(part.Start, part.Count, error);
                }
                else
                {
                    OnValueRefused(part, error, refused);
                }
            }
        }
    }

    private void OnValueRefused(Part part, Exception error, Action<int, int, Exception> refused)
    {
        if (part.Count == 1)
        {
            refused(part.Start, 1, error);
            return;
        }

        var echoesBatch = _batchError is not null && error.Message == _batchError.Message;
        switch (part.Role)
        {
            case Role.Whole:
                _batchError = error;
                Push(part, Role.FirstHalf, Role.SecondHalf);
                return;
            case Role.FirstHalf when echoesBatch && _parts.TryPeek(out var second) && second.Role == Role.SecondHalf:
                // Try the second half first: if it is refused with the same message too, the batch is refused as a whole.
                _parts.Pop();
                _parts.Push(part with { Role = Role.RefusedFirstHalf });
                _parts.Push(second with { Role = Role.SecondHalfAfterEcho });
                return;
            case Role.SecondHalfAfterEcho when echoesBatch:
                refused(part.Start, part.Count, error);
                if (_parts.TryPeek(out var first) && first.Role == Role.RefusedFirstHalf)
                {
                    _parts.Pop();
                    refused(first.Start, first.Count, error);
                }

                return;
            default:
                Push(part, Role.Part, Role.Part);
                return;
        }
    }

    private void Push(Part part, Role first, Role second)
    {
        var half = part.Count / 2;
        _parts.Push(new Part(part.Start + half, part.Count - half, second));
        _parts.Push(new Part(part.Start, half, first));
    }

    private readonly record struct Part(int Start, int Count, Role Role);
}
