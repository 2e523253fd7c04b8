using System.Text;
using Microsoft.Data.Sqlite;

// The namespace is where the helper was first used; test code across projects already names it from there.
namespace LlmTrack.Tests.Sqlite;

/// <summary>A temporary folder deleted at the end of a test: input files, journals, SQLite databases.</summary>
public sealed class TempFolder : IDisposable
{
    /// <summary>Creates a new empty folder under the system temp folder.</summary>
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("llmtrack-tests-").FullName;
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>An <c>mlflow.db</c> in the folder.</summary>
    public string DatabasePath => System.IO.Path.Combine(Path, "mlflow.db");

    /// <summary>The tracking URI of <see cref="DatabasePath"/>.</summary>
    public string TrackingUri => "sqlite:///" + DatabasePath;

    /// <summary>Opens <see cref="DatabasePath"/> without pooling (so the file can be deleted).</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>The path of a file (or sub-folder) in the folder.</summary>
    public string PathOf(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a UTF-8 file (no BOM) and returns its path.</summary>
    public string Write(string name, string content)
    {
        var path = PathOf(name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Writes a binary file and returns its path.</summary>
    public string WriteBytes(string name, byte[] content)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Deletes the folder (a file still held open by a test is left behind).</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
