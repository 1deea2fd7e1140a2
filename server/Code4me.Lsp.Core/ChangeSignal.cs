namespace Code4me.Lsp.Core;

/// <summary>
/// A signal that fires again and again: <see cref="Next"/> completes at the next <see cref="Fire"/> after it was taken.
/// Take it before checking the condition it announces, then await it, and no change is missed.
/// </summary>
public sealed class ChangeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Fire"/>.</summary>
    public Task Next
    {
        get
        {
            lock (_gate)
            {
                return _next.Task;
            }
        }
    }

    /// <summary>Completes every <see cref="Next"/> taken so far.</summary>
    public void Fire()
    {
        TaskCompletionSource fired;
        lock (_gate)
        {
            fired = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        fired.TrySetResult();
    }
}
