/// What a command line asks for: run a command, show help, or show the version.
public enum ParseOutcome: Sendable, Equatable {
    /// Run the command with these values.
    case run(ParsedCommand)
    /// Write this help text to standard output as is (it ends with a newline) and exit successfully.
    case help(String)
    /// Write this version string and a newline to standard output and exit successfully.
    case version(String)
}
