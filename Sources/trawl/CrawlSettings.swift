import Foundation
import Trawl
import TrawlCommandLine

/// Everything a `crawl` run needs, read from the command line and the environment.
struct CrawlSettings {
    var input: String
    var output: String?
    var configuration = Crawler.Configuration()
    var progress = "auto"
    var quiet = false
    var resume = false
    var force = false
    var grace: Duration = .seconds(10)
    var shard: Shard?
    var transport = "auto"
    /// TLS, proxy and HTTP-version settings for the libcurl transport (connection limits are set by CrawlRun).
    var curl = CurlMultiTransport.Configuration()
    /// The flags given that only the libcurl transport can honour, e.g. `["--cacert"]`.
    var curlOnlyFlags: [String] = []

    /// Whether `value` can be sent as a header field's value: no control character but tab (a line break would
    /// start another header, or get the whole value dropped).
    static func isFieldValue(_ value: String) -> Bool {
        !value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F })
    }

    init(_ command: ParsedCommand, environment: [String: String]) throws(UsageError) {
        func fail(_ message: String) -> UsageError { UsageError(message: message, commandPath: command.path) }
        input = command.positional("input") ?? "-"
        // `-o -` is standard output, as `-` is standard input; `-o ./-` names a file called `-`.
        output = command.value("output").flatMap { $0 == "-" ? nil : $0 }
        var configuration = Crawler.Configuration()
        configuration.concurrency.total = try command.int("concurrency", default: 32, range: 1...100_000)
        configuration.concurrency.perHost = try command.int("per-host", default: 6, range: 1...100_000)
        configuration.retry.maxAttempts = try command.int("max-attempts", default: 4, range: 1...1000)
        configuration.request.timeout = .seconds(try command.seconds("timeout", default: 30, range: 0.001...86_400))
        configuration.retry.retryOnStatuses = Set(
            try command.intList("retry-on", default: [408, 429, 500, 502, 503, 504], range: 100...599))
        let base = try command.seconds("backoff-base", default: 0.5, range: 0...86_400)
        let maximum = try command.seconds("backoff-max", default: 30, range: 0...86_400)
        configuration.retry.policy = ExponentialBackoff(base: .seconds(base), maximum: .seconds(maximum))
        configuration.retry.maxRetryAfter = .seconds(
            try command.seconds("max-retry-after", default: 120, range: 0...31_536_000))
        configuration.request.maxRedirects = try command.int("max-redirects", default: 10, range: 0...1000)
        configuration.request.maxBodyBytes = try command.int(
            "max-body-bytes", default: 10 << 20, range: 0...(1 << 40))
        for header in command.values("header") {
            guard let colon = header.firstIndex(of: ":") else {
                throw fail("The header '\(TerminalText.sanitize(header))' is not of the form 'Name: value'")
            }
            let name = header[..<colon].trimmingCharacters(in: .whitespaces)
            let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), Self.isFieldValue(value) else {
                throw fail(
                    "The header '\(TerminalText.sanitize(header))' has an invalid name, or a line break or another "
                        + "control character in its value")
            }
            configuration.request.headers.add(name: name, value: value)
        }
        if let agent = command.value("user-agent") {
            guard Self.isFieldValue(agent) else {
                throw fail(
                    "The value '\(TerminalText.sanitize(agent))' is invalid for '--user-agent <text>': it has a line "
                        + "break or another control character")
            }
            configuration.request.userAgent = agent
        }
        configuration.output.body = Crawler.Configuration.BodyMode(
            rawValue: try command.choice("body", default: "none"))!
        configuration.politeness.adaptive = !command.flag("no-adaptive")
        let perSecond = "requests per second"
        if command.value("rate") != nil {
            configuration.politeness.ratePerHost = try command.number(
                "rate", default: 0, range: 0.01...1_000_000, unit: perSecond)
        }
        if command.value("rate-global") != nil {
            configuration.politeness.rateGlobal = try command.number(
                "rate-global", default: 0, range: 0.01...1_000_000, unit: perSecond)
        }
        var expectations = Expectations()
        expectations.statuses = Set(try command.intList("expect-status", default: [], range: 200...299))
        if let pattern = command.value("expect-body") {
            do {
                try expectations.expectBody(matching: pattern)
            } catch {
                throw fail("The value '\(pattern)' is invalid for '--expect-body <regex>': not a regular expression")
            }
        }
        for assignment in command.values("expect-json") where !expectations.expectJSON(assignment) {
            throw fail("The value '\(assignment)' is invalid for '--expect-json <path=value>': expected PATH=VALUE")
        }
        if !expectations.isEmpty { configuration.retry.evaluate = expectations }
        self.configuration = configuration
        progress = try command.choice("progress", default: "auto")
        quiet = command.flag("quiet")
        resume = command.flag("resume")
        force = command.flag("force")
        if resume && force { throw fail("--resume and --force cannot be used together") }
        if (resume || force) && output == nil {
            throw fail("--\(resume ? "resume" : "force") needs -o/--output naming a file, not standard output")
        }
        grace = .seconds(try command.seconds("grace", default: 10, range: 0...86_400))
        transport = try command.choice("transport", default: "auto")
        try readConnectionSettings(command, environment: environment, fail: fail)
        shard = try Self.shard(command.value("shard"), environment: environment, fail: fail)
    }

    /// `--cacert`, `--insecure`, `--proxy` (else the proxy environment), `--http1.1` and `--event-loops`.
    private mutating func readConnectionSettings(
        _ command: ParsedCommand, environment: [String: String], fail: (String) -> UsageError
    ) throws(UsageError) {
        if let path = command.value("cacert") {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw fail("The file '\(path)' given to --cacert does not exist or cannot be read")
            }
            curl.caBundlePath = path
            curlOnlyFlags.append("--cacert")
        }
        if command.flag("insecure") {
            curl.verifiesCertificates = false
            curlOnlyFlags.append("--insecure")
        }
        if command.flag("http1.1") {
            curl.httpVersion = .http1
            curlOnlyFlags.append("--http1.1")
        }
        // One loop unless asked: more were measured on 2 cores only (6% more requests a second for 12% more CPU
        // per request against nginx on the same machine), and each loop keeps connections of its own.
        curl.eventLoops = try command.int("event-loops", default: 1, range: 1...64)
        if command.value("event-loops") != nil { curlOnlyFlags.append("--event-loops") }
        var proxy = ProxySettings.environment(environment)
        if let flag = command.value("proxy") {
            guard let url = URL(string: flag.contains("://") ? flag : "http://\(flag)"), let host = url.host,
                !host.isEmpty, ["http", "https", "socks4", "socks4a", "socks5", "socks5h"].contains(url.scheme ?? "")
            else {
                throw fail(
                    "The value '\(ProxySettings.redacted(flag))' is invalid for '--proxy <url>': expected "
                        + "[scheme://][user:password@]host[:port] with scheme http, https, socks4, socks4a, socks5 "
                        + "or socks5h")
            }
            proxy = ProxySettings(proxy: flag, noProxy: proxy.noProxy)
            curlOnlyFlags.append("--proxy")
        }
        curl.proxy = proxy
        if transport == "urlsession", !curlOnlyFlags.isEmpty {
            throw fail(
                "\(curlOnlyFlags.joined(separator: ", ")) cannot be used with --transport urlsession: URLSession on "
                    + "Linux can neither add a CA nor turn certificate verification off, takes proxies only from the "
                    + "environment and has no HTTP-version setting; use --transport curl or auto")
        }
    }

    /// `--shard K/N`, else `TRAWL_SHARD=K/N`, else Kubernetes' 0-based `JOB_COMPLETION_INDEX` with `TRAWL_SHARDS=N`.
    static func shard(
        _ flag: String?, environment: [String: String], fail: (String) -> UsageError
    ) throws(UsageError) -> Shard? {
        if let flag {
            guard let shard = Shard(parsing: flag) else {
                throw fail("The value '\(flag)' is invalid for '--shard <k/n>': expected K/N with 1 <= K <= N")
            }
            return shard
        }
        if let value = environment["TRAWL_SHARD"], !value.isEmpty {
            guard let shard = Shard(parsing: value) else {
                throw fail("TRAWL_SHARD='\(value)' is invalid: expected K/N with 1 <= K <= N")
            }
            return shard
        }
        if let index = environment["JOB_COMPLETION_INDEX"], let count = environment["TRAWL_SHARDS"] {
            guard let zeroBased = Int(index), let total = Int(count),
                let shard = Shard(index: zeroBased + 1, count: total)
            else {
                throw fail("JOB_COMPLETION_INDEX='\(index)' with TRAWL_SHARDS='\(count)' is not a valid shard")
            }
            return shard
        }
        return nil
    }
}
