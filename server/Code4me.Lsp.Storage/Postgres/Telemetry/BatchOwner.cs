namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>
/// Who a batch of telemetry is written as. <see cref="AuthToken"/> and <see cref="InstallationId"/> are the proof the
/// transaction shows PostgreSQL (<see cref="WriterProof"/>); <see cref="UserId"/> is what the token resolved to, put on
/// the rows (PostgreSQL refuses any other); with <see cref="Machine"/>, the installation and the user also make the
/// batch's project ids (<see cref="ProjectIdentity"/>).
/// </summary>
/// <param name="AuthToken">The configured auth token; null: anonymous.</param>
/// <param name="UserId">The token's user; null: anonymous (no token, or a token of no user).</param>
/// <param name="InstallationId">This installation's anonymous id (a secret of this machine), if it has one.</param>
/// <param name="Machine">The machine name.</param>
internal sealed record BatchOwner(Guid? AuthToken, Guid? UserId, Guid? InstallationId, string Machine);
