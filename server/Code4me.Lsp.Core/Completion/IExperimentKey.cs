namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// The stable key an A/B selection policy splits users on (<see cref="CompletionContext.UserId"/>): the same person, or
/// at least the same installation, gets the same arm every time. Read on the request path, so it must not touch the disk
/// there; the implementation (Storage's, from the auth token or the installation id) settles it beforehand.
/// </summary>
public interface IExperimentKey
{
    string Key { get; }
}
