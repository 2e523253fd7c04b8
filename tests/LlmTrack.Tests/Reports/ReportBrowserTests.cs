using LlmTrack.Tests.Sqlite;
using Microsoft.Playwright;

namespace LlmTrack.Tests.Reports;

/// <summary>
/// The report opened in a real browser: Debian's chromium driven by Playwright (no browser download). Asserts on the
/// rendered page at desktop and phone width and in print media, and saves screenshots to the test output folder
/// (<c>report-screenshots/</c>) for a person to look at.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ReportBrowserTests
{
    private const string ChromiumVariable = "LLMTRACK_CHROMIUM";

    private static string ScreenshotFolder => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "report-screenshots")).FullName;

    /// <summary>The chromium executable ($LLMTRACK_CHROMIUM, else /usr/bin/chromium); fails the test clearly when missing.</summary>
    private static string Chromium()
    {
        string path = Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } chosen ? chosen : "/usr/bin/chromium";
        if (!File.Exists(path))
        {
            Assert.Fail($"Chromium is needed for the report's browser tests and was not found at {path}. " +
                $"Install it (apt-get install -y chromium; .ci/run does) or point {ChromiumVariable} at a Chromium executable.");
        }

        return path;
    }

    private static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        string chromium = Chromium();
        IPlaywright playwright = await Playwright.CreateAsync();
        IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
        return (playwright, browser);
    }

    private static async Task<string> WriteReportAsync(TempFolder folder, int runs = 3)
    {
        await using var tracker = ReportRuns.Open(folder);
        var ids = await ReportRuns.LogAsync(tracker, runs: runs);
        string html = await RunReport.BuildAsync(tracker, ids, new RunReportOptions { Title = "Sentiment classifier: smoothing sweep" });
        string file = Path.Combine(folder.Path, "report.html");
        await File.WriteAllTextAsync(file, html);
        return file;
    }

    [Fact]
    public async Task TheReportRendersEverySectionAtDesktopWidth()
    {
        using var folder = new TempFolder();
        string file = await WriteReportAsync(folder);
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            var requests = new List<string>();
            page.Request += (_, request) => requests.Add(request.Url);
            await page.GotoAsync(new Uri(file).AbsoluteUri);
            Assert.Equal("Sentiment classifier: smoothing sweep", await page.Locator("h1").InnerTextAsync());
            Assert.Equal(7, await page.Locator("main > section h2").CountAsync());
            Assert.Equal(3, await page.Locator("#confusion svg[role=img]").CountAsync());
            Assert.True(await page.Locator("#metrics svg").CountAsync() >= 2);
            Assert.Equal("smoothing", await page.Locator("#comparison tbody th[scope=row]").First.InnerTextAsync());
            Assert.Contains("[0.4, 0.58]", await page.Locator("#comparison").InnerTextAsync(), StringComparison.Ordinal);
            Assert.True(await page.Locator("#disagreements tbody tr").CountAsync() > 0);
            Assert.Equal("Confusion matrix of model-a", await page.Locator("#confusion svg").First.GetAttributeAsync("aria-label"));
            Assert.All(requests, url => Assert.StartsWith("file://", url, StringComparison.Ordinal));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "report-desktop.png"), FullPage = true });
        }
    }

    [Fact]
    public async Task AtPhoneWidthNothingOverflowsThePageAndWideTablesScrollInTheirOwnBox()
    {
        using var folder = new TempFolder();
        string file = await WriteReportAsync(folder, runs: 6);
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions
            {
                ViewportSize = new ViewportSize { Width = 375, Height = 812 },
                DeviceScaleFactor = 2,
                IsMobile = true,
            });
            await page.GotoAsync(new Uri(file).AbsoluteUri);
            int scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
            int innerWidth = await page.EvaluateAsync<int>("window.innerWidth");
            Assert.True(scrollWidth <= innerWidth, $"the page is {scrollWidth}px wide in a {innerWidth}px viewport");
            bool tableScrolls = await page.EvaluateAsync<bool>(
                "(() => { const box = document.querySelector('#disagreements .scroll'); return box.scrollWidth > box.clientWidth && getComputedStyle(box).overflowX === 'auto'; })()");
            Assert.True(tableScrolls, "the examples table should scroll inside its own box at 375 px");
            bool svgsFit = await page.EvaluateAsync<bool>("[...document.querySelectorAll('figure svg')].every(s => s.getBoundingClientRect().right <= window.innerWidth)");
            Assert.True(svgsFit, "every figure fits the phone's width");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "report-phone.png"), FullPage = true });
        }
    }

    [Fact]
    public async Task InPrintTheNavigationIsHiddenAndTablesAreNotClipped()
    {
        using var folder = new TempFolder();
        string file = await WriteReportAsync(folder);
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 794, Height = 1123 } });
            await page.GotoAsync(new Uri(file).AbsoluteUri);
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
            Assert.Equal("none", await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('nav')).display"));
            Assert.Equal("visible", await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('.scroll')).overflowX"));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "report-print.png"), FullPage = true });
            byte[] pdf = await page.PdfAsync(new PagePdfOptions { Format = "A4" });
            Assert.True(pdf.Length > 1000);
        }
    }
}
