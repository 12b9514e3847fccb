/// What happens to a connection after one exchange.
enum ConnectionAction: Equatable {
    /// Read the next request.
    case keepAlive
    /// Close with FIN.
    case close
    /// Close with RST.
    case reset
}
