// Engine-only benchmark: how many URLs per second trawl's own machinery (input, coordinator, scheduler,
// retry bookkeeping, record encoding and output, progress counting) moves with no network at all.
//
//   swift run -c release trawl-engine-benchmark [URLS] [CONCURRENCY]
import Foundation
import Synchronization
import Trawl

/// Runs jobs on one thread of its own, as the libcurl transport's event loop runs the crawl's tasks: the
/// figure is then trawl's own work on the thread that matters, not the global executor's thread hopping.
final class OneThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    init() {
        let thread = Thread { [self] in run() }
        thread.name = "engine-loop"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let wasEmpty = jobs.withLock { jobs in
            jobs.append(unowned)
            return jobs.count == 1
        }
        if wasEmpty { ready.signal() }
    }

    private func run() {
        var batch: [UnownedJob] = []
        while true {
            ready.wait()
            while true {
                jobs.withLock { swap(&$0, &batch) }
                if batch.isEmpty { break }
                for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
                batch.removeAll(keepingCapacity: true)
            }
        }
    }
}

/// Answers every request at once with a 200 and a 2 KB body count, from memory.
struct InstantTransport: Transport {
    let executor = OneThreadExecutor()
    /// Made once: building a response is the transport's work, not the engine's.
    let response = TransportResponse(
        status: 200, headers: HTTPHeaders([("Content-Type", "text/html")]), bodyBytes: 2048)

    nonisolated(nonsending) func perform(_ request: TransportRequest) async throws(RecordError) -> TransportResponse {
        response
    }

    var taskExecutors: [any TaskExecutor] { [executor] }

    func shutdown() async {}
}

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let count = arguments.first ?? 1_000_000
let concurrency = arguments.count > 1 ? arguments[1] : 64
let lines = (0..<count).map { "http://host\($0 % 16).example/page/\($0)" }

var configuration = Crawler.Configuration()
configuration.concurrency.total = concurrency
configuration.concurrency.perHost = concurrency
let crawler = Crawler(configuration: configuration, transport: InstantTransport())
let devNull = open("/dev/null", O_WRONLY)
let writer = RecordWriter(fd: devNull)
let reporter = ProgressReporter(mode: .never, destination: "/dev/null")
/// CPU seconds this process has used, user and system.
func cpuSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
        getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let cpuBefore = cpuSeconds()
let start = ContinuousClock.now
let summary = await crawler.run(input: LineReader(lines: lines), sink: writer, events: { reporter.record($0) })
try writer.flush()
let elapsed = ContinuousClock.now - start
let cpu = cpuSeconds() - cpuBefore
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
precondition(summary.records == count && summary.succeeded == count, "lost records: \(summary)")
print(
    String(
        format: "engine: %d URLs in %.2f s = %.0f URLs/s, %.2f µs CPU per URL (concurrency %d)",
        count, seconds, Double(count) / seconds, cpu / Double(count) * 1e6, concurrency))
