using System.Text;

namespace Code4me.Lsp.Core.Completion;

/// <summary>Chooses the generation to show.</summary>
public static class GenerationSelector
{
    /// <summary>
    /// FirstToAnswer: the first usable generation in arrival order. HighestConfidence: the usable one with
    /// the highest confidence (ties: earliest). AbTest: the generation of the model assigned to the user
    /// (<see cref="AssignedModel"/>), or nothing when that model failed — the arms stay clean.
    /// Late generations are never chosen.
    /// </summary>
    public static ModelGeneration? Choose(IReadOnlyList<ModelGeneration> generations, SelectionPolicy policy, IReadOnlyList<string> modelNames, string userId)
    {
        switch (policy)
        {
            case SelectionPolicy.HighestConfidence:
                ModelGeneration? best = null;
                foreach (var g in generations)
                {
                    if (g.IsUsable && !g.Late && (best is null || g.Confidence > best.Confidence))
                    {
                        best = g;
                    }
                }

                return best;
            case SelectionPolicy.AbTest:
                var assigned = AssignedModel(modelNames, userId);
                return generations.FirstOrDefault(g => g.IsUsable && !g.Late && g.ModelName == assigned);
            default:
                return generations.FirstOrDefault(g => g.IsUsable && !g.Late);
        }
    }

    /// <summary>The model a user sees under A/B testing: FNV-1a (32-bit) of the UTF-8 user id, modulo the model count.</summary>
    public static string? AssignedModel(IReadOnlyList<string> modelNames, string userId)
    {
        if (modelNames.Count == 0)
        {
            return null;
        }

        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(userId ?? ""))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return modelNames[(int)(hash % (uint)modelNames.Count)];
    }
}
