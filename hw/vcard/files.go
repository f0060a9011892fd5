package vcard

import "cnskiosk.dev/hw/apdu"

// selectFile handles SELECT (00 A4): P1 00 by FID (MF, child of the current
// DF, or the current DF), 01 child DF, 02 EF, 08 path from the MF, 09 path
// from the current DF. P2 0C returns nothing; otherwise, when Le is present,
// the FCP.
func (c *Card) selectFile(cmd apdu.Command) []byte {
	if len(cmd.Data) == 0 || len(cmd.Data)%2 != 0 {
		return sw(apdu.SWWrongLength)
	}
	if cmd.P2&^0x0C != 0 && cmd.P2 != 0x04 {
		return sw(apdu.SWWrongP1P2)
	}
	fids := make([]uint16, 0, len(cmd.Data)/2)
	for i := 0; i < len(cmd.Data); i += 2 {
		fids = append(fids, uint16(cmd.Data[i])<<8|uint16(cmd.Data[i+1]))
	}
	var f *file
	switch cmd.P1 {
	case 0x00, 0x01, 0x02:
		if len(fids) != 1 {
			return sw(apdu.SWWrongLength)
		}
		f = c.byFID(fids[0], cmd.P1)
	case 0x08:
		f = walk(c.mf, fids)
	case 0x09:
		f = walk(c.st.df, fids)
	default:
		return sw(apdu.SWWrongP1P2)
	}
	if f == nil {
		return sw(apdu.SWNotFound)
	}
	if f.isDF() {
		c.st.df, c.st.ef = f, nil
	} else {
		c.st.df, c.st.ef = f.parent, f
	}
	if cmd.P2 == 0x0C || cmd.Le == 0 {
		return sw(apdu.SWOK)
	}
	return ok(f.fcp())
}

func (c *Card) byFID(fid uint16, p1 byte) *file {
	if fid == fidMF && p1 == 0x00 {
		return c.mf
	}
	df := c.st.df
	if df == nil {
		df = c.mf
	}
	f := df.child(fid)
	if f == nil && p1 == 0x00 && df.fid == fid {
		f = df
	}
	if f == nil || (p1 == 0x01 && !f.isDF()) || (p1 == 0x02 && f.isDF()) {
		return nil
	}
	return f
}

// walk follows fids down from df; a leading 3F00 in a path from the MF is
// accepted and skipped.
func walk(df *file, fids []uint16) *file {
	if df == nil {
		return nil
	}
	if df.parent == nil && len(fids) > 0 && fids[0] == fidMF {
		fids = fids[1:]
	}
	f := df
	for _, fid := range fids {
		if f = f.child(fid); f == nil {
			return nil
		}
	}
	return f
}

// readBinary handles READ BINARY (00 B0) with a 15-bit offset in P1P2, or
// an SFI in P1 bits 1-5 when bit 8 is set.
func (c *Card) readBinary(cmd apdu.Command) []byte {
	ef := c.st.ef
	off := int(cmd.P1)<<8 | int(cmd.P2)
	if cmd.P1&0x80 != 0 {
		ef, off = c.bySFI(cmd.P1&0x1F), int(cmd.P2)
		if ef == nil {
			return sw(apdu.SWNotFound)
		}
		c.st.ef = ef
	}
	switch {
	case ef == nil && c.st.df != nil:
		return sw(apdu.SWNotAllowed)
	case ef == nil:
		return sw(apdu.SWNoCurrentEF)
	case cmd.Le == 0:
		return sw(apdu.SWWrongLength)
	case off >= len(ef.data):
		return sw(apdu.SWWrongOffset)
	}
	n := min(cmd.Le, len(ef.data)-off)
	out := ok(ef.data[off : off+n])
	if n < cmd.Le {
		out[len(out)-2], out[len(out)-1] = 0x62, 0x82
	}
	return out
}

func (c *Card) bySFI(sfi byte) *file {
	df := c.st.df
	if df == nil {
		df = c.mf
	}
	for fid, f := range df.children {
		if !f.isDF() && byte(fid)&0x1F == sfi {
			return f
		}
	}
	return nil
}
