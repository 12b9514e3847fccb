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
}

/// A failure that ends the program with a message and a status.
struct ExitError: Error {
    var code: ExitCode
    var message: String
}
