import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into calls on a private queue: the first one and any later one.
///
/// Created in a nonisolated function: a signal source created from main-actor code crashes on Linux when the
/// signal fires.
final class SignalWatcher: Sendable {
    private nonisolated(unsafe) var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "trawl.signals")

    /// Starts watching; `handler` gets the signal number and how many signals came so far (1, 2, ...).
    nonisolated init(handler: @escaping @Sendable (Int32, Int) -> Void) {
        let counter = SignalCounter()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                handler(number, counter.increment())
            }
            source.resume()
            sources.append(source)
        }
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
