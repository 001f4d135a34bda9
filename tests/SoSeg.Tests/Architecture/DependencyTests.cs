using System.Reflection;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace SoSeg.Tests.Architecture;

/// <summary>
/// The layers keep their direction: the library (<c>SoSeg</c> package) references no console, plotting or
/// command-line package and nothing of the application layer or the tool; no namespace depends on itself
/// through others. Dependencies are read from the compiled IL of every type: base types, interfaces,
/// fields, signatures, attributes, locals and every type, method and field a method body touches.
/// </summary>
public class DependencyTests
{
    static readonly Assembly Library = typeof(SoSegException).Assembly;
    static readonly Assembly Application = typeof(SoSeg.App.Terminal.Progress).Assembly;
    static readonly Assembly Tool = typeof(SoSeg.Cli.SosegCli).Assembly;

    [Fact]
    public void The_library_references_no_console_plotting_command_line_or_application_assembly()
    {
        var referenced = Library.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        string[] forbidden = ["Spectre.Console", "ScottPlot", "System.CommandLine", Application.GetName().Name!, Tool.GetName().Name!];
        Assert.Empty(referenced.Where(name => forbidden.Any(f => name.Equals(f, StringComparison.OrdinalIgnoreCase) ||
                                                                 name.StartsWith(f + ".", StringComparison.OrdinalIgnoreCase))));
        // Only the runtime, TorchSharp and the image and ONNX libraries.
        string[] allowed = ["System", "Microsoft.Win32", "netstandard", "mscorlib", "TorchSharp", "TorchSharp.PyBridge", "SkiaSharp",
                            "BitMiracle.LibTiff.NET", "OnnxSharp", "Google.Protobuf", "Microsoft.ML.OnnxRuntime"];
        Assert.Empty(referenced.Where(name => !allowed.Any(a => name == a || name.StartsWith(a + ".", StringComparison.Ordinal))));
    }

    [Fact]
    public void The_application_layer_references_neither_the_tool_nor_its_command_line_parser()
    {
        var referenced = Application.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(Tool.GetName().Name!, referenced, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("System.CommandLine", referenced);
    }

    [Fact]
    public void No_namespace_of_the_library_or_the_application_layer_depends_on_itself_through_others()
    {
        var graph = NamespaceGraph.Of(Library.Location, Application.Location);
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, "namespace cycles:\n" + string.Join("\n", cycles.Select(graph.Describe)));
    }

    [Fact]
    public void No_library_namespace_uses_the_application_layer()
    {
        var graph = NamespaceGraph.Of(Library.Location, Application.Location);
        var upward = graph.Edges.Where(e => !IsApplication(e.Key.From) && IsApplication(e.Key.To)).ToList();
        Assert.True(upward.Count == 0, string.Join("\n", upward.Select(e => $"{e.Key.From} -> {e.Key.To} ({e.Value})")));
    }

    [Fact]
    public void The_graph_sees_a_cycle_through_method_bodies_signatures_and_fields()
    {
        // The analysis itself, on this test assembly's own fixture namespaces: A uses B in a method body only, B uses A
        // in a field only; C and D use each other through a generic argument and a base type.
        var graph = NamespaceGraph.Of(typeof(DependencyTests).Assembly.Location);
        var cycles = graph.Cycles().Select(c => string.Join(",", c.Order())).ToList();
        Assert.Contains("SoSeg.Tests.Architecture.CycleFixture.A,SoSeg.Tests.Architecture.CycleFixture.B", cycles);
        Assert.Contains("SoSeg.Tests.Architecture.CycleFixture.C,SoSeg.Tests.Architecture.CycleFixture.D", cycles);
        Assert.DoesNotContain(cycles, c => c.Contains("CycleFixture.E", StringComparison.Ordinal));
    }

    static bool IsApplication(string ns) => ns == "SoSeg.App" || ns.StartsWith("SoSeg.App.", StringComparison.Ordinal);
}

/// <summary>Namespace -> namespace dependencies of the SoSeg types in some assemblies, with one type pair as evidence per edge.</summary>
internal sealed class NamespaceGraph
{
    public Dictionary<(string From, string To), string> Edges { get; } = new();

    public static NamespaceGraph Of(params string[] assemblyPaths)
    {
        var graph = new NamespaceGraph();
        foreach (var path in assemblyPaths)
        {
            using var module = ModuleDefinition.ReadModule(path);
            foreach (var type in module.GetTypes()) graph.AddType(type);
        }
        return graph;
    }

    /// <summary>Sets of namespaces that reach each other (strongly connected components of more than one namespace, or a self-loop is ignored).</summary>
    public List<List<string>> Cycles()
    {
        var nodes = Edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().ToList();
        var next = nodes.ToDictionary(n => n, n => Edges.Keys.Where(e => e.From == n).Select(e => e.To).ToList());
        // Tarjan's strongly connected components.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();
        int counter = 0;
        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in next[v])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) components.Add(component.Order().ToList());
        }
        foreach (var n in nodes) if (!index.ContainsKey(n)) Visit(n);
        return components;
    }

    /// <summary>A cycle's namespaces and the edges between them, each with the type that makes it.</summary>
    public string Describe(List<string> cycle) =>
        string.Join(", ", cycle) + "\n" + string.Join("\n", Edges.Where(e => cycle.Contains(e.Key.From) && cycle.Contains(e.Key.To))
                                                            .Select(e => $"  {e.Key.From} -> {e.Key.To}: {e.Value}"));

    void AddType(TypeDefinition type)
    {
        string from = NamespaceOf(type);
        if (!IsSoSeg(from)) return;
        var used = new HashSet<TypeReference>(TypeReferenceComparer.Instance);
        void Use(TypeReference? t) => Collect(t, used);
        Use(type.BaseType);
        foreach (var i in type.Interfaces) Use(i.InterfaceType);
        foreach (var a in type.CustomAttributes) Use(a.AttributeType);
        foreach (var g in type.GenericParameters) foreach (var c in g.Constraints) Use(c.ConstraintType);
        foreach (var f in type.Fields) { Use(f.FieldType); foreach (var a in f.CustomAttributes) Use(a.AttributeType); }
        foreach (var p in type.Properties) Use(p.PropertyType);
        foreach (var e in type.Events) Use(e.EventType);
        foreach (var m in type.Methods)
        {
            Use(m.ReturnType);
            foreach (var p in m.Parameters) Use(p.ParameterType);
            foreach (var a in m.CustomAttributes) Use(a.AttributeType);
            foreach (var g in m.GenericParameters) foreach (var c in g.Constraints) Use(c.ConstraintType);
            if (!m.HasBody) continue;
            foreach (var v in m.Body.Variables) Use(v.VariableType);
            foreach (var h in m.Body.ExceptionHandlers) Use(h.CatchType);
            foreach (var instruction in m.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t: Use(t); break;
                    case MethodReference method:
                        Use(method.DeclaringType);
                        Use(method.ReturnType);
                        foreach (var p in method.Parameters) Use(p.ParameterType);
                        if (method is GenericInstanceMethod generic) foreach (var g in generic.GenericArguments) Use(g);
                        break;
                    case FieldReference field: Use(field.DeclaringType); Use(field.FieldType); break;
                    case CallSite site: Use(site.ReturnType); foreach (var p in site.Parameters) Use(p.ParameterType); break;
                }
            }
        }
        foreach (var t in used)
        {
            string to = t.Namespace;
            if (!IsSoSeg(to) || to == from) continue;
            Edges.TryAdd((from, to), $"{type.FullName} uses {t.FullName}");
        }
    }

    static void Collect(TypeReference? type, HashSet<TypeReference> into)
    {
        while (true)
        {
            switch (type)
            {
                case null or GenericParameter: return;
                case GenericInstanceType generic:
                    foreach (var argument in generic.GenericArguments) Collect(argument, into);
                    type = generic.ElementType;
                    continue;
                case TypeSpecification spec: // arrays, by-ref, pointers, modifiers
                    type = spec.ElementType;
                    continue;
            }
            // Nested types count as their outermost declaring type.
            while (type.DeclaringType is not null) type = type.DeclaringType;
            into.Add(type);
            return;
        }
    }

    static string NamespaceOf(TypeDefinition type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type.Namespace;
    }

    static bool IsSoSeg(string ns) => ns == "SoSeg" || ns.StartsWith("SoSeg.", StringComparison.Ordinal);

    sealed class TypeReferenceComparer : IEqualityComparer<TypeReference>
    {
        public static readonly TypeReferenceComparer Instance = new();
        public bool Equals(TypeReference? x, TypeReference? y) => x?.FullName == y?.FullName;
        public int GetHashCode(TypeReference obj) => obj.FullName.GetHashCode();
    }
}
