using System.Globalization;
using System.Security;
using System.Text.Json;
using System.Text;
using McpCompat.Probing;
using McpCompat.Tooling.Tests.Support;
using NuGet.Versioning;

namespace McpCompat.Tooling.Tests.Build;

/// <summary>
/// The range check written in MSBuild (buildTransitive/McpCompat.targets) against NuGet.Versioning, the probe's own
/// comparer, on the real advisory ranges and on ranges chosen for their edges.
/// </summary>
public sealed class AdvisoryTargetsTests
{
    private static readonly string[] Versions =
    [
        "0.1.0-preview.9", "0.1.0-preview.10", "0.1.0-preview.10.1", "0.1.0-preview.11", "0.1.0-Preview.10", "0.1.0",
        "0.2.0-preview.3", "0.5.0-preview.1", "0.6.0-alpha", "0.6.0-preview.0.9", "0.6.0-preview.1", "0.6.0-preview.1.1",
        "0.6.0-preview-1", "0.6.0", "0.10.0-preview.2", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
        "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0-rc.11", "1.0.0", "1.0.0.1", "1.4.0", "1.4.1-preview.1",
        "1.4.1", "1.4.1+build.5", "1.4.1.0", "1.4.1.1", "1.4.2", "1.10.0", "2.0.0-preview.1", "2.0.0", "2.4.0", "10.0.0",
    ];

    private static readonly string[] EdgeRanges =
    [
        "[1.0.0-rc.2, 1.0.0-rc.10)", "(1.0.0, 2.0.0]", "[1.4.1]", "1.4.1", "(, 1.0.0)", "[1.0.0-alpha, 1.0.0-alpha.1)",
        "[1.0.0-alpha.beta, 1.0.0-beta)", "(0.6.0-preview.1, 1.4.1]",
    ];

    private static readonly string[] MSBuildSpecial = ["$(", "@(", "%(", ";"];

    [Fact]
    public void Targets_RangeCheck_AgreesWithNuGetVersioning()
    {
        var ranges = KnownDefects.All.Select(d => d.AffectedVersions).Concat(EdgeRanges).Distinct().ToList();
        using var folder = TestEnvironment.NewFolder();
        File.Copy(Path.Combine(TestEnvironment.RepositoryRoot, "src", "Compat", "buildTransitive", "McpCompat.targets"), Path.Combine(folder.Path, "McpCompat.targets"));

        // One made-up package per version, one advisory per (version, range): a single build checks them all.
        var project = new StringBuilder("<Project>\n  <Import Project=\"McpCompat.targets\" />\n  <ItemGroup>\n");
        var expected = new List<string>();
        for (var v = 0; v < Versions.Length; v++)
        {
            for (var r = 0; r < ranges.Count; r++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"V{v}R{r}");
                project.Append(CultureInfo.InvariantCulture, $"    <McpCompatKnownDefect Include=\"{id}\" Package=\"P{v}\" AffectedVersions=\"{SecurityElement.Escape(ranges[r])}\" BuildSeverity=\"Message\" Summary=\"s\" />\n");
                if (VersionRange.Parse(ranges[r]).Satisfies(NuGetVersion.Parse(Versions[v])))
                {
                    expected.Add(id);
                }
            }
        }

        project.Append("  </ItemGroup>\n  <Target Name=\"ResolveAssemblyReferences\">\n    <ItemGroup>\n");
        for (var v = 0; v < Versions.Length; v++)
        {
            project.Append(CultureInfo.InvariantCulture, $"      <ReferencePath Include=\"p{v}.dll\" NuGetPackageId=\"P{v}\" NuGetPackageVersion=\"{Versions[v]}\" />\n");
        }

        project.Append("    </ItemGroup>\n  </Target>\n  <Target Name=\"Check\" DependsOnTargets=\"ResolveAssemblyReferences\" />\n</Project>\n");
        File.WriteAllText(Path.Combine(folder.Path, "check.proj"), project.ToString());

        var (code, output) = DotNet.Run(folder.Path, "msbuild", "check.proj", "-t:Check", "-getItem:McpCompatSdkAdvisory", "-nologo");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        var hits = json.RootElement.GetProperty("Items").GetProperty("McpCompatSdkAdvisory").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!)
            .ToList();
        var describe = (IEnumerable<string> ids) => string.Join("\n", ids.Select(id =>
        {
            var v = int.Parse(id[1..id.IndexOf('R', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            var r = int.Parse(id[(id.IndexOf('R', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
            return $"{Versions[v]} in {ranges[r]}";
        }));
        Assert.True(expected.Count > 20, "the data should hold enough hits to mean something");
        Assert.Equal(describe(expected.Order(StringComparer.Ordinal)), describe(hits.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void KnownDefects_DataIsSafeForMSBuildAndSaysHowToReport()
    {
        foreach (var defect in KnownDefects.All)
        {
            foreach (var value in new[] { defect.Id, defect.Package, defect.AffectedVersions, defect.Summary })
            {
                Assert.DoesNotContain(value, MSBuildSpecial.Where(s => value.Contains(s, StringComparison.Ordinal)));
            }

            Assert.Matches(@"^[\[(]", defect.AffectedVersions);
        }

        // A defect warns at build time; a behaviour (stateless by default) only informs.
        Assert.Equal(
            ["MCPCOMPAT001 Warning", "MCPCOMPAT002 Warning", "MCPCOMPAT003 Message", "MCPCOMPAT004 Warning"],
            KnownDefects.All.Select(d => $"{d.Id} {d.Severity}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Targets_Warning_NamesTheUsersProjectAndLinksToItsSection()
    {
        using var folder = TestEnvironment.NewFolder();
        var package = Directory.CreateDirectory(Path.Combine(folder.Path, "package"));
        Directory.CreateDirectory(Path.Combine(package.FullName, "buildTransitive"));
        Directory.CreateDirectory(Path.Combine(package.FullName, "docs"));
        File.Copy(Path.Combine(TestEnvironment.RepositoryRoot, "src", "Compat", "buildTransitive", "McpCompat.targets"), Path.Combine(package.FullName, "buildTransitive", "McpCompat.targets"));
        File.Copy(Path.Combine(TestEnvironment.RepositoryRoot, "docs", "advisories.md"), Path.Combine(package.FullName, "docs", "advisories.md"));
        var app = Directory.CreateDirectory(Path.Combine(folder.Path, "app"));
        var project = Path.Combine(app.FullName, "App.proj");
        File.WriteAllText(project, """
            <Project>
              <Import Project="../package/buildTransitive/McpCompat.targets" />
              <ItemGroup>
                <McpCompatKnownDefect Include="MCPCOMPAT002" Package="P" AffectedVersions="[1.0.0, 1.4.1)" BuildSeverity="Warning" Summary="s." />
              </ItemGroup>
              <Target Name="ResolveAssemblyReferences">
                <ItemGroup>
                  <ReferencePath Include="p.dll" NuGetPackageId="P" NuGetPackageVersion="1.0.0" />
                </ItemGroup>
              </Target>
              <Target Name="Check" DependsOnTargets="ResolveAssemblyReferences" />
            </Project>
            """);

        var (code, output) = DotNet.Run(app.FullName, "msbuild", "App.proj", "-t:Check", "-nologo", "-tl:off", "-v:diag");

        Assert.True(code == 0, output);
        var page = Path.GetFullPath(Path.Combine(package.FullName, "docs", "advisories.md")).Replace('\\', '/');
        var link = (page.StartsWith('/') ? "file://" : "file:///") + page + "#mcpcompat002";
        var lines = output.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l =>
            l.StartsWith($"{project} : warning MCPCOMPAT002: P 1.0.0 is in [1.0.0, 1.4.1)", StringComparison.Ordinal) &&
            l.EndsWith($"how to fix it, or silence it with NoWarn: {link}", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("McpCompat.targets : warning", StringComparison.Ordinal));
        Assert.Contains($"HelpLink={link}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AdvisoriesPage_HasASectionPerAdvisory_SayingHowToFixAndSilence()
    {
        var page = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "docs", "advisories.md"));
        var sections = page.Split("\n## ").Skip(1).ToDictionary(s => s[..s.IndexOf('\n', StringComparison.Ordinal)].Trim(), s => s);

        foreach (var defect in KnownDefects.All)
        {
            var section = sections[defect.Id];
            Assert.Contains($"`{defect.AffectedVersions}`", section, StringComparison.Ordinal);
            Assert.Contains("**Fix**", section, StringComparison.Ordinal);
            if (defect.Severity == KnownDefects.BuildSeverity.Warning)
            {
                Assert.Contains($"<NoWarn>$(NoWarn);{defect.Id}</NoWarn>", section, StringComparison.Ordinal);
            }
        }
    }
}
