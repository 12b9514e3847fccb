import Foundation
import Synchronization
import Trawl
import TrawlCommandLine
import TrawlTestSite

/// Writes `text` to standard error, its control characters but line breaks escaped: a message quotes file
/// names and flag values as given, and `trawl $'x\e]0;t\a'` must not retitle the terminal. A failed write (a
/// closed terminal, EIO) is ignored: FileHandle's `write` would trap on it.
func printError(_ text: String) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    TerminalOutput(fd: STDERR_FILENO).write(lines.map { TerminalText.sanitize(String($0)) }.joined(separator: "\n"))
}

/// Parses, runs and maps the outcome to an exit status.
func runTrawl(_ arguments: [String], environment: [String: String]) async -> ExitCode {
    let parser = TrawlCommands.parser
    do {
        switch try parser.parse(arguments) {
        case .help(let text):
            FileHandle.standardOutput.write(
                Data((text == parser.helpText(for: ["trawl"]) ? TrawlCommands.rootHelp : text).utf8))
            return .success
        case .version(let version):
            FileHandle.standardOutput.write(Data("\(version)\n".utf8))
            return .success
        case .run(let command):
            if command.path.last == "demo" {
                return try await runDemo(command)
            }
            let settings = try CrawlSettings(command, environment: environment)
            let input = try InputFile.open(settings.input)
            let output: OutputFile.Opened
            do {
                output = try OutputFile.open(
                    path: settings.output, resume: settings.resume, force: settings.force, input: input.identity)
            } catch {
                guard error.code == .usage else { throw error }
                throw UsageError(message: error.message, commandPath: command.path)
            }
            return try await CrawlRun(
                input: input.reader,
                // The line counter counts only a regular file: a second reader of a pipe would steal its lines.
                inputPath: settings.input == "-" ? nil : settings.input,
                output: output,
                configuration: settings.configuration, transport: settings.transport, curl: settings.curl,
                curlOnlyFlags: settings.curlOnlyFlags,
                progress: settings.quiet ? .quiet : ProgressReporter.Mode(rawValue: settings.progress)!,
                grace: settings.grace, shard: settings.shard
            ).execute()
        }
    } catch let error as UsageError {
        printError(TrawlCommands.errorText(for: error))
        return .usage
    } catch let error as ExitError {
        // One line: a file name quoted in it may hold a line break.
        printError("Error: \(TerminalText.sanitize(error.message))\n")
        return error.code
    } catch {
        printError("Error: \(error)\n")
        return .software
    }
}

/// `trawl demo`: serves the built-in site in-process and crawls it.
func runDemo(_ command: ParsedCommand) async throws -> ExitCode {
    let count = try command.int("urls", default: 500, range: 1...1_000_000)
    let defaultOutput = "trawl-demo.ndjson"
    let path = command.value("output") ?? defaultOutput
    let quiet = command.flag("quiet")
    let site: TestSite
    do {
        site = try TestSite()
    } catch let threeHosts {
        // macOS answers only on 127.0.0.1 unless more loopback addresses are added: run on that one.
        do {
            site = try TestSite(hosts: ["127.0.0.1"])
        } catch {
            throw ExitError(code: .software, message: "cannot start the demo site: \(error)")
        }
        if !quiet {
            printError(
                "trawl demo: \(threeHosts); running on 127.0.0.1 alone (where 127.0.0.2 and 127.0.0.3 are missing, as on macOS, `sudo ifconfig lo0 alias 127.0.0.2 up` and the same for 127.0.0.3 add them)\n"
            )
        }
    }
    defer { site.shutdown() }
    let lines = DemoSite.lines(count: count, site: site)
    let listPath = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-demo-\(getpid()).txt").path
    guard FileManager.default.createFile(atPath: listPath, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
    else { throw ExitError(code: .cannotCreate, message: "cannot write the demo list to \(listPath)") }
    defer { unlink(listPath) }
    var configuration = Crawler.Configuration()
    configuration.retry.maxRetryAfter = .seconds(5)
    if !quiet {
        printError(
            "trawl demo: crawling \(count) URL\(count == 1 ? "" : "s") from a loopback site on \(site.hosts.joined(separator: ", ")), port \(site.port)\n"
        )
    }
    // A rerun replaces the demo's own records, however the path to them is spelt (`./trawl-demo.ndjson`, an
    // absolute path); any other existing file is kept, and the advice names no flag the demo lacks.
    let isOwnOutput = URL(fileURLWithPath: path).lastPathComponent == defaultOutput
    var output = try OutputFile.open(
        path: path == "-" ? nil : path, resume: false, force: isOwnOutput, input: nil,
        advice: "the demo replaces only a file named \(defaultOutput): remove it or choose another -o")
    // The demo has no --resume, and its site takes a new port each run: an interrupted summary must not offer it.
    output.resumable = false
    // The demo's failures are part of the show: it succeeds when it ran to the end.
    let code = try await CrawlRun(
        input: try InputFile.open(listPath).reader, inputPath: listPath, output: output,
        configuration: configuration, transport: try command.choice("transport", default: "auto"),
        progress: quiet ? .quiet : ProgressReporter.Mode(rawValue: try command.choice("progress", default: "auto"))!,
        grace: .seconds(2), shard: nil
    ).execute()
    return code == .someFailed ? .success : code
}

// First, before anything opens a descriptor that could take a closed standard stream's number.
_ = StandardStreams.closedAtStart
signal(SIGPIPE, SIG_IGN)
// A synchronous main that parks on a semaphore while the work runs on the global executor, rather than an
// async main: the async main's dispatch_main() is what valgrind 3.19 crashes on, and profiling trawl's CPU per
// request with callgrind needs the real binary.
let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment
let finished = DispatchSemaphore(value: 0)
let status = Mutex(ExitCode.software)
Task.detached {
    let code = await runTrawl(arguments, environment: environment)
    status.withLock { $0 = code }
    finished.signal()
}
finished.wait()
status.withLock { $0 }.exitProcess()
