using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlmTrack.Tests.Architecture;

/// <summary>
/// Enforces the folder layering of src/LlmTrack (docs/architecture.md): a file may use types of its own layer and of
/// the layers below, never of a layer above. The source tree is parsed and bound with Roslyn, so every use counts —
/// <c>using</c>, fully qualified names, same-namespace names, static members, constants and extension methods — while
/// comments, strings and XML doc <c>cref</c>s do not.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Folder → layer; a sub-folder belongs to its nearest listed ancestor (Rest/Wire → Rest).</summary>
    private static readonly (string Folder, int Layer)[] Layers =
    [
        // 0. Bottom: MLflow's model, names and rules; options; formatting.
        ("Model", 0), ("Validation", 0), ("Errors", 0), ("Configuration", 0), ("Text", 0),

        // 1. Stores: the store abstraction and its implementations.
        ("Stores", 1), ("Stores/Sqlite", 1), ("Rest", 1), ("Artifacts", 1), ("Resilience", 1),

        // 2. Delivery core: queues, journal, durable mode, store-to-store sync.
        ("Delivery", 2), ("Journal", 2), ("Durable", 2), ("Sync", 2),

        // 3. The tracking API.
        ("Tracking", 3), ("LoggedModels", 3), ("Tracing", 3), ("Registry", 3), ("Prompts", 3), ("Traces", 3),

        // 4. Evaluation on top of runs.
        ("Evaluation", 4),

        // 4. Deciding on evaluated runs: comparison with paired tests, the release gate.
        ("Comparison", 4), ("Gating", 4),
        // 4. The HTML report, built on evaluation's tables and figures.
        ("Reports", 4),

        // 3. Sweeps: parent and child runs over a parameter space, beside Tracking.
        ("Sweeps", 3),
    ];

    /// <summary>The composition root: wires every layer together, so it may use anything (and nothing uses it).</summary>
    private const string CompositionRoot = "DependencyInjection";

    /// <summary>
    /// Arrows against the layering that still exist because fixing them needs files that are being rewritten elsewhere
    /// (Stores/ITrackingStore.cs, Durable/*, Sync/*, Tracking/Tracker.cs). Fixing one makes
    /// <see cref="TheAllowListHasNoStaleEntries"/> fail until its entry is deleted here, so this list only shrinks.
    /// Entry: (the using file, the used type as "Folder/Type").
    /// </summary>
    private static readonly (string File, string Type)[] Allowed =
    [
    ];

    private static readonly Lazy<Scan> Source = new(Scan.Run);

    [Fact]
    public void EveryFolderHasALayer()
    {
        var unmapped = Source.Value.Folders.Where(f => f != CompositionRoot && LayerOf(f) is null).ToList();
        Assert.True(unmapped.Count == 0, "Folders of src/LlmTrack without a layer (add them to Layers and docs/architecture.md): " + string.Join(", ", unmapped));
    }

    [Fact]
    public void NoFileUsesATypeOfAHigherLayer()
    {
        var allowed = Allowed.ToHashSet();
        var violations = Source.Value.Arrows
            .Where(a => IsAgainstLayering(a.FromFolder, a.ToFolder) && !allowed.Contains((a.File, a.Type)))
            .Select(a => $"{a.File} uses {a.Type} (layer {LayerOf(a.FromFolder)} → {LayerOf(a.ToFolder)})")
            .Distinct()
            .OrderBy(v => v, StringComparer.Ordinal)
            .ToList();
        Assert.True(violations.Count == 0, "Files that use a type of a higher layer (see docs/architecture.md):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void TheAllowListHasNoStaleEntries()
    {
        var seen = Source.Value.Arrows.Where(a => IsAgainstLayering(a.FromFolder, a.ToFolder)).Select(a => (a.File, a.Type)).ToHashSet();
        var stale = Allowed.Where(e => !seen.Contains(e)).Select(e => $"{e.File} → {e.Type}").ToList();
        Assert.True(stale.Count == 0, "These arrows are gone; delete their entries from LayeringTests.Allowed:\n" + string.Join("\n", stale));
    }

    [Fact]
    public void TheScanSeesUsesOfEveryKind()
    {
        // Guards against a scan that silently finds nothing: known downward arrows of each kind are seen.
        var arrows = Source.Value.Arrows.Select(a => (a.File, a.Type)).ToHashSet();
        Assert.Contains(("Tracking/Run.cs", "Stores/ITrackingStore"), arrows);                                  // a field type
        Assert.Contains(("Evaluation/RunArtifactLoggingExtensions.cs", "Tracking/Run"), arrows);                 // an extended type
        Assert.Contains(("Evaluation/Datasets/EvaluationDataset.cs", "Model/MlflowTags"), arrows);               // a constant
        Assert.Contains(("Tracking/Tracker.cs", "Durable/DurableTrackingStore"), arrows);                        // a static call
        Assert.Contains(("Configuration/LlmTrackOptions.cs", "Configuration/TrackingUri"), arrows);              // same folder
        Assert.Contains(("Evaluation/Accumulators/ClassificationAccumulator.cs", "Evaluation/EvaluationMetricKeys"), arrows); // a using alias
    }

    private static bool IsAgainstLayering(string fromFolder, string toFolder) =>
        fromFolder != CompositionRoot
        && (toFolder == CompositionRoot || LayerOf(fromFolder) < LayerOf(toFolder));

    private static int? LayerOf(string folder)
    {
        for (var candidate = folder; candidate.Length > 0; candidate = candidate.Contains('/', StringComparison.Ordinal) ? candidate[..candidate.LastIndexOf('/')] : string.Empty)
        {
            foreach (var (name, layer) in Layers)
            {
                if (name == candidate)
                {
                    return layer;
                }
            }
        }

        return null;
    }

    /// <summary>A use of a source type: the using file and folder, and the used type as "Folder/Type" with its folder.</summary>
    private sealed record Arrow(string File, string FromFolder, string Type, string ToFolder);

    private sealed class Scan
    {
        private Scan(IReadOnlyList<string> folders, IReadOnlyList<Arrow> arrows)
        {
            Folders = folders;
            Arrows = arrows;
        }

        public IReadOnlyList<string> Folders { get; }

        public IReadOnlyList<Arrow> Arrows { get; }

        public static Scan Run()
        {
            var root = FindSourceRoot();
            var parseOptions = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.None);
            var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsBuildOutput(Path.GetRelativePath(root, f)))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToList();
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parseOptions, f)).ToList();

            // The project's implicit usings (ImplicitUsings=enable), which live in obj/ and are not scanned.
            var implicitUsings = CSharpSyntaxTree.ParseText(
                "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
                "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;",
                parseOptions);
            var compilation = CSharpCompilation.Create(
                "LlmTrack.LayeringScan",
                [.. trees, implicitUsings],
                References(),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

            var arrows = new List<Arrow>();
            foreach (var tree in trees)
            {
                var file = Relative(root, tree.FilePath);
                var folder = FolderOf(file);
                var model = compilation.GetSemanticModel(tree);
                foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
                {
                    if (UsedType(model, name) is not { } type)
                    {
                        continue;
                    }

                    var declaration = type.DeclaringSyntaxReferences.FirstOrDefault(r => r.SyntaxTree != implicitUsings);
                    if (declaration is null)
                    {
                        continue; // not a type of src/LlmTrack
                    }

                    var typeFile = Relative(root, declaration.SyntaxTree.FilePath);
                    var typeFolder = FolderOf(typeFile);
                    arrows.Add(new Arrow(file, folder, typeFolder + "/" + type.Name, typeFolder));
                }
            }

            var folders = files.Select(f => FolderOf(Relative(root, f))).Distinct().OrderBy(f => f, StringComparer.Ordinal).ToList();
            return new Scan(folders, [.. arrows.Distinct()]);
        }

        /// <summary>The top-level source type a name refers to: the type itself, or the type owning the member.</summary>
        private static INamedTypeSymbol? UsedType(SemanticModel model, SimpleNameSyntax name)
        {
            var info = model.GetSymbolInfo(name);
            var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
            if (symbol is IAliasSymbol alias)
            {
                symbol = alias.Target;
            }

            var type = symbol switch
            {
                INamedTypeSymbol named => named,
                IMethodSymbol method => (method.ReducedFrom ?? method).ContainingType,
                IPropertySymbol or IFieldSymbol or IEventSymbol => symbol.ContainingType,
                _ => null,
            };
            while (type?.ContainingType is { } outer)
            {
                type = outer;
            }

            return type?.OriginalDefinition is { } definition && definition.Locations.Any(l => l.IsInSource) ? definition : null;
        }

        private static List<MetadataReference> References()
        {
            // The runtime's assemblies, then the packages the test output holds (LlmTrack's dependencies), by file name.
            var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
            {
                byName[Path.GetFileName(path)] = path;
            }

            foreach (var path in Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            {
                var fileName = Path.GetFileName(path);
                if (fileName is not ("LlmTrack.dll" or "LlmTrack.Tests.dll"))
                {
                    byName.TryAdd(fileName, path);
                }
            }

            byName.Remove("LlmTrack.dll");
            return [.. byName.Values.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
        }

        private static string FindSourceRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "src", "LlmTrack");
                if (File.Exists(Path.Combine(directory.FullName, "LlmTrack.sln")) && Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("src/LlmTrack not found above " + AppContext.BaseDirectory);
        }

        private static bool IsBuildOutput(string relative) =>
            relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

        private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

        private static string FolderOf(string relativeFile) =>
            relativeFile.Contains('/', StringComparison.Ordinal) ? relativeFile[..relativeFile.LastIndexOf('/')] : string.Empty;
    }
}
