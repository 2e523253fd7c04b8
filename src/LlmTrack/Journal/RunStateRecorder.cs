namespace LlmTrack.Journal;

/// <summary>
/// What a <see cref="JournalWriter"/> keeps in the run's <c>run.json</c>: its lifecycle (created, mapped to the
/// server's run, ended) and its last activity, which heartbeats keep recent while data is logged (a run left RUNNING
/// by a dead process is ended FAILED at its last activity). Saved when the writer flushes to disk.
/// </summary>
internal sealed class RunStateRecorder(RunJournal journal, long now)
{
    private readonly List<JournalRecord> _lifecycleToSave = [];
    private long _lastHeartbeat = now;
    private bool _dataSinceHeartbeat;
    private long _maxActivity;
    private long _savedActivity = journal.State.LastActivity;
    private bool _stateDirty;

    /// <summary>Whether a lifecycle record is not saved yet.</summary>
    public bool IsDirty => _stateDirty;

    /// <summary>Notes that data was appended (a heartbeat becomes due after <see cref="JournalOptions.ActivityInterval"/>).</summary>
    public void DataAppended() => _dataSinceHeartbeat = true;

    /// <summary>Whether a heartbeat is due at <paramref name="now"/>: data was appended since the last one, and the interval passed.</summary>
    public bool HeartbeatDue(long now) => _dataSinceHeartbeat && now - _lastHeartbeat >= (long)journal.Options.ActivityInterval.TotalMilliseconds;

    /// <summary>Notes that a heartbeat at <paramref name="now"/> is being written (its activity counts once it is appended: <see cref="Activity"/>).</summary>
    public void HeartbeatStarted(long now)
    {
        _lastHeartbeat = now;
        _dataSinceHeartbeat = false;
    }

    /// <summary>Notes that the run's end is being written: no heartbeat may follow it.</summary>
    public void Ending() => _dataSinceHeartbeat = false;

    /// <summary>Notes activity at <paramref name="time"/> (a metric's timestamp, a heartbeat, a lifecycle record).</summary>
    public void Activity(long time)
    {
        if (time > _maxActivity)
        {
            _maxActivity = time;
        }
    }

    /// <summary>Notes a lifecycle record to save in <c>run.json</c>.</summary>
    public void Lifecycle(JournalRecord record)
    {
        _lifecycleToSave.Add(record);
        _stateDirty = true;
    }

    /// <summary>Saves the lifecycle records and the last activity noted since the last save, if any.</summary>
    /// <exception cref="JournalException">run.json could not be written.</exception>
    public void SaveIfDirty()
    {
        if (!_stateDirty && _maxActivity <= _savedActivity)
        {
            return;
        }

        var activity = _maxActivity;
        journal.UpdateState(state =>
        {
            foreach (var record in _lifecycleToSave)
            {
                state = state.Apply(record);
            }

            return activity > state.LastActivity ? state with { LastActivity = activity } : state;
        });
        _lifecycleToSave.Clear();
        _savedActivity = activity;
        _stateDirty = false;
    }
}
