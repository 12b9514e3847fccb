import Foundation
import Synchronization

/// The exit statuses trawl documents (sysexits where one fits).
enum ExitCode: Int32 {
    case success = 0
    case someFailed = 1
    case usage = 64
    case noInput = 66
    case software = 70
    case cannotCreate = 73
    case hungUp = 129
    case interrupted = 130
    case terminated = 143

    private static let exiting = Mutex(false)

    /// Ends the process with this status. Only the first caller exits: `exit` from two threads at once is
    /// undefined, and the main path and a second signal can both get here; a later caller waits for the end.
    func exitProcess() -> Never {
        let later = Self.exiting.withLock { exiting in
            defer { exiting = true }
            return exiting
        }
        if later {
            while true { pause() }
        }
        exit(rawValue)
    }
}

/// A failure that ends the program with a message and a status.
struct ExitError: Error {
    var code: ExitCode
    var message: String
}
