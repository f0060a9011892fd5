// Package vcardtest helps tests use virtual cards: the hw/profiles cards
// with keys signed by in-memory test CAs, and the machine-wide lock of the
// vpcd slots that every test putting cards in pcscd's readers must hold
// (see [vcard.LockSlots]; package pcsctest takes it for you).
package vcardtest
