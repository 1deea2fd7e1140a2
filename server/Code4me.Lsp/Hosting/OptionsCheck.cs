using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Hosting;

/// <summary>Checks <typeparamref name="TOptions"/> by binding and validating it afresh.</summary>
internal sealed class OptionsCheck<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(IOptionsMonitor<TOptions> monitor) : IOptionsCheck
    where TOptions : class
{
    public IReadOnlyList<string> Check()
    {
        try
        {
            _ = monitor.CurrentValue;
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
        catch (InvalidOperationException e)
        {
            // Binding failed, e.g. "abc" for an integer setting.
            return [SettingErrors.Describe(e) ?? e.Message];
        }
    }
}
