import NIOConcurrencyHelpers
import NIOCore

/// The server's listening channel and who is waiting to learn its address; shared between `run()` and callers.
final class ListenerState: Sendable {
    private typealias Waiter = CheckedContinuation<SocketAddress, any Error>

    private enum State {
        case starting(waiters: [Waiter], shutdownRequested: Bool)
        case listening(any Channel, SocketAddress)
        case failed(any Error)
        case stopped
    }

    private let state = NIOLockedValueBox(State.starting(waiters: [], shutdownRequested: false))

    var address: SocketAddress {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let result: Result<SocketAddress, any Error>? = state.withLockedValue { state in
                    switch state {
                    case .starting(var waiters, let shutdownRequested):
                        waiters.append(continuation)
                        state = .starting(waiters: waiters, shutdownRequested: shutdownRequested)
                        return nil
                    case .listening(_, let address):
                        return .success(address)
                    case .failed(let error):
                        return .failure(error)
                    case .stopped:
                        return .failure(ChannelError.ioOnClosedChannel)
                    }
                }
                if let result { continuation.resume(with: result) }
            }
        }
    }

    /// Records the bound channel; false when shutdown was requested before it got here.
    func listening(_ channel: any Channel, at address: SocketAddress) -> Bool {
        let (waiters, proceed) = state.withLockedValue { state -> ([Waiter], Bool) in
            guard case .starting(let waiters, let shutdownRequested) = state else { return ([], false) }
            state = .listening(channel, address)
            return (waiters, !shutdownRequested)
        }
        for waiter in waiters { waiter.resume(returning: address) }
        return proceed
    }

    func failed(_ error: any Error) {
        let waiters = state.withLockedValue { state -> [Waiter] in
            guard case .starting(let waiters, _) = state else { return [] }
            state = .failed(error)
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    /// Stops accepting: closes the listening channel, or makes `run()` close it as soon as it is bound.
    func stopAccepting() {
        let channel = state.withLockedValue { state -> (any Channel)? in
            switch state {
            case .starting(let waiters, _):
                state = .starting(waiters: waiters, shutdownRequested: true)
                return nil
            case .listening(let channel, _):
                return channel
            case .failed, .stopped:
                return nil
            }
        }
        channel?.close(promise: nil)
    }

    func stopped() {
        let waiters = state.withLockedValue { state -> [Waiter] in
            defer { state = .stopped }
            guard case .starting(let waiters, _) = state else { return [] }
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: ChannelError.ioOnClosedChannel) }
    }
}
