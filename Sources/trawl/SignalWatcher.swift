import Dispatch
import Foundation

/// Turns SIGINT, SIGTERM and SIGHUP into calls on a private queue: the first one and any later one.
///
/// SIGHUP (the terminal closed) stops the run as SIGTERM does, so the records that finished are flushed; it is
/// left alone when trawl started with it ignored (`nohup`), so the run goes on.
///
/// Created in a nonisolated function: a signal source created from main-actor code crashes on Linux when the
/// signal fires.
final class SignalWatcher: Sendable {
    private nonisolated(unsafe) var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "trawl.signals")

    /// Starts watching; `handler` gets the signal number and how many signals came so far (1, 2, ...).
    nonisolated init(handler: @escaping @Sendable (Int32, Int) -> Void) {
        let counter = SignalCounter()
        for number in [SIGINT, SIGTERM, SIGHUP] {
            let previous = signal(number, SIG_IGN)
            // Under nohup a hang-up is meant to be ignored, so it stays ignored.
            if number == SIGHUP && Self.isIgnored(previous) { continue }
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            // Signals that arrive before the handler runs are merged into one event, its data their number: a
            // second Ctrl-C pressed while the queue waits is counted, not lost. (The handler holds its source: both
            // live as long as the process.)
            source.setEventHandler {
                for _ in 0..<max(1, Int(source.data)) { handler(number, counter.increment()) }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Whether `handler`, a disposition `signal` returned, is `SIG_IGN`.
    static func isIgnored(_ handler: sig_t?) -> Bool {
        let ignored: sig_t? = SIG_IGN
        guard let handler, let ignore = ignored else { return false }
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(ignore, to: Int.self)
    }
}

/// Counts signals; touched only on the watcher's serial queue.
private final class SignalCounter: @unchecked Sendable {
    private var count = 0

    func increment() -> Int {
        count += 1
        return count
    }
}
