package vcard

import "encoding/binary"

// file is a node of the card's file system: a DF with children or an EF
// with transparent content.
type file struct {
	fid      uint16
	parent   *file
	children map[uint16]*file // nil for an EF
	data     []byte
}

func (f *file) isDF() bool { return f.children != nil }

func newDF(fid uint16, parent *file) *file {
	d := &file{fid: fid, parent: parent, children: map[uint16]*file{}}
	if parent != nil {
		parent.children[fid] = d
	}
	return d
}

func newEF(fid uint16, parent *file, data []byte) *file {
	e := &file{fid: fid, parent: parent, data: data}
	parent.children[fid] = e
	return e
}

// child finds fid among the children of df.
func (f *file) child(fid uint16) *file {
	if f == nil || f.children == nil {
		return nil
	}
	return f.children[fid]
}

// fcp returns the File Control Parameters template (ISO 7816-4 §7.4.3):
// 80 size, 82 descriptor (01 transparent EF, 38 DF), 83 FID.
func (f *file) fcp() []byte {
	desc := byte(0x01)
	if f.isDF() {
		desc = 0x38
	}
	body := []byte{0x80, 0x02, 0, 0, 0x82, 0x01, desc, 0x83, 0x02, byte(f.fid >> 8), byte(f.fid)}
	binary.BigEndian.PutUint16(body[2:4], uint16(len(f.data)))
	return append([]byte{0x62, byte(len(body))}, body...)
}

// TS-CNS file identifiers.
const (
	fidMF          = 0x3F00
	fidDFInfo      = 0x1000
	fidProcessor   = 0x1002
	fidIDCarta     = 0x1003
	fidDFCNS       = 0x1100
	fidCCarta      = 0x1101
	fidPersonal    = 0x1102
	processorBytes = "VCARD-GO-TSCNS-0001"
)

// buildFS lays out the TS-CNS files. A nil certificate leaves EF.C_Carta out.
func buildFS(idCarta, personal, cert []byte) *file {
	mf := newDF(fidMF, nil)
	info := newDF(fidDFInfo, mf)
	newEF(fidProcessor, info, []byte(processorBytes))
	newEF(fidIDCarta, info, idCarta)
	cnsDF := newDF(fidDFCNS, mf)
	if cert != nil {
		newEF(fidCCarta, cnsDF, cert)
	}
	newEF(fidPersonal, cnsDF, personal)
	return mf
}
