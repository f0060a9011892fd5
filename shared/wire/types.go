package wire

import "strings"

// Type names what an envelope's body holds.
type Type string

// Operation types (topic ops, kiosk -> cloud). One per procedure of
// procedures.md, plus the audit-only record of an abandoned procedure.
const (
	OpActivation        Type = "op.activation"          // procedures 1 and 2
	OpFSEConsent        Type = "op.fse_consent"         // procedure 3
	OpSuspension        Type = "op.suspension"          // procedure 4 (always refused)
	OpReactivation      Type = "op.reactivation"        // procedure 5 (always refused)
	OpReissue           Type = "op.reissue"             // procedure 6
	OpPinReprint        Type = "op.pin_reprint"         // procedure 7
	OpRevocation        Type = "op.revocation"          // procedure 8
	OpReaderRequest     Type = "op.reader_request"      // procedure 9
	OpRegistryDataWrong Type = "op.registry_data_wrong" // procedure 10
	OpAbandoned         Type = "op.abandoned"           // a procedure left before its confirm
)

// Other message types.
const (
	TypeAck       Type = "ack"        // cloud -> kiosk: result of one operation
	TypeRPCReq    Type = "rpc.req"    // kiosk -> cloud: a request
	TypeRPCRes    Type = "rpc.res"    // cloud -> kiosk: its response
	TypeState     Type = "state"      // kiosk -> cloud: heartbeat, health, last will
	TypeConfig    Type = "config"     // cloud -> kiosk: desired configuration
	TypeCmd       Type = "cmd"        // cloud -> kiosk: a command
	TypeCmdResult Type = "cmd.result" // kiosk -> cloud: a command's result
)

// IsOp reports whether t is an operation type.
func (t Type) IsOp() bool { return strings.HasPrefix(string(t), "op.") }

// registry maps each known type to a constructor of its body, used by
// Decode to check the body strictly.
var registry = map[Type]func() any{
	OpActivation:        func() any { return new(Activation) },
	OpFSEConsent:        func() any { return new(FSEConsent) },
	OpSuspension:        func() any { return new(Suspension) },
	OpReactivation:      func() any { return new(Reactivation) },
	OpReissue:           func() any { return new(Reissue) },
	OpPinReprint:        func() any { return new(PinReprint) },
	OpRevocation:        func() any { return new(Revocation) },
	OpReaderRequest:     func() any { return new(ReaderRequest) },
	OpRegistryDataWrong: func() any { return new(RegistryDataWrong) },
	OpAbandoned:         func() any { return new(Abandoned) },
	TypeAck:             func() any { return new(Ack) },
	TypeRPCReq:          func() any { return new(RPCRequest) },
	TypeRPCRes:          func() any { return new(RPCResponse) },
	TypeState:           func() any { return new(State) },
	TypeConfig:          func() any { return new(Config) },
	TypeCmd:             func() any { return new(Command) },
	TypeCmdResult:       func() any { return new(CommandResult) },
}

// Types lists every known message type, operations first.
func Types() []Type {
	return []Type{OpActivation, OpFSEConsent, OpSuspension, OpReactivation, OpReissue,
		OpPinReprint, OpRevocation, OpReaderRequest, OpRegistryDataWrong, OpAbandoned,
		TypeAck, TypeRPCReq, TypeRPCRes, TypeState, TypeConfig, TypeCmd, TypeCmdResult}
}
