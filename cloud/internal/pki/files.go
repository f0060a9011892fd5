package pki

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// File names inside a CA directory and an issued bundle.
const (
	CAFile    = "ca.pem"
	CAKeyFile = "ca-key.pem"
	CertFile  = "cert.pem"
	KeyFile   = "key.pem"
)

// LoadCA reads the CA kept in dir.
func LoadCA(dir string) (*CA, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, CAFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoCA, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, CAKeyFile))
	if err != nil {
		return nil, fmt.Errorf("pki: CA key: %w", err)
	}
	cert, err := ParseCert(certPEM)
	if err != nil {
		return nil, err
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, PEM: certPEM}, nil
}

// LoadOrCreateCA reads the CA in dir, creating it (valid ten years) when
// the directory holds none.
func LoadOrCreateCA(dir, name string, now time.Time) (*CA, bool, error) {
	ca, err := LoadCA(dir)
	if err == nil || !errors.Is(err, ErrNoCA) {
		return ca, false, err
	}
	if ca, err = NewCA(name, now, 10*365*24*time.Hour); err != nil {
		return nil, false, err
	}
	return ca, true, ca.Save(dir)
}

// Save writes the CA to dir (the key with mode 0600).
func (ca *CA) Save(dir string) error {
	keyPEM, err := encodeKey(ca.Key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, CAKeyFile), keyPEM, 0o600); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, CAFile), ca.PEM, 0o644)
}

// WriteBundle writes cert.pem, key.pem (0600) and ca.pem to dir.
func WriteBundle(dir string, is Issued, caPEM []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, KeyFile), is.KeyPEM, 0o600); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, CertFile), is.CertPEM, 0o644); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, CAFile), caPEM, 0o644)
}

// Pool returns a certificate pool holding only the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// TLSCert returns is as a tls.Certificate.
func (is Issued) TLSCert() (tls.Certificate, error) {
	c, err := tls.X509KeyPair(is.CertPEM, is.KeyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: key pair: %w", err)
	}
	return c, nil
}

// ServerTLS is the TLS configuration of a listener that requires a client
// certificate issued by clientCA.
func ServerTLS(server Issued, clientCA *x509.CertPool) (*tls.Config, error) {
	c, err := server.TLSCert()
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{c},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    clientCA,
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// ClientTLS is the TLS configuration of a client presenting client and
// trusting only serverCA.
func ClientTLS(client Issued, serverCA *x509.CertPool) (*tls.Config, error) {
	c, err := client.TLSCert()
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{c}, RootCAs: serverCA, MinVersion: tls.VersionTLS12}, nil
}

// LoadBundle reads cert.pem, key.pem and ca.pem from dir.
func LoadBundle(dir string) (Issued, *x509.CertPool, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err != nil {
		return Issued{}, nil, fmt.Errorf("pki: %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return Issued{}, nil, fmt.Errorf("pki: %w", err)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, CAFile))
	if err != nil {
		return Issued{}, nil, fmt.Errorf("pki: %w", err)
	}
	cert, err := ParseCert(certPEM)
	if err != nil {
		return Issued{}, nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return Issued{}, nil, fmt.Errorf("%w: %s", ErrBadPEM, CAFile)
	}
	return Issued{Cert: cert, CertPEM: certPEM, KeyPEM: keyPEM, Serial: Serial(cert)}, pool, nil
}

// ParseCert parses one PEM certificate.
func ParseCert(b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%w: want CERTIFICATE", ErrBadPEM)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPEM, err)
	}
	return c, nil
}

// PeerIdentity returns the Common Name and serial of the verified client
// certificate of a TLS connection.
func PeerIdentity(cs tls.ConnectionState) (cn, serial string, err error) {
	if len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) == 0 {
		return "", "", ErrNoPeerCert
	}
	c := cs.VerifiedChains[0][0]
	return c.Subject.CommonName, Serial(c), nil
}

func parseKey(b []byte) (*ecdsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%w: want a private key", ErrBadPEM)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPEM, err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: not an ECDSA key", ErrBadPEM)
	}
	return ek, nil
}

func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func encodeKey(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("pki: encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	t, err := WriteTemp(filepath.Dir(path), filepath.Base(path), data, mode)
	if err != nil {
		return err
	}
	if err := os.Rename(t, path); err != nil {
		return errors.Join(fmt.Errorf("pki: %w", err), os.Remove(t))
	}
	return nil
}

// WriteTemp writes data, synced, with mode to a new hidden temporary file
// beside name in dir and returns its path: renamed over name, it replaces
// the file whole (several renamed together replace a bundle).
func WriteTemp(dir, name string, data []byte, mode os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".new-*")
	if err != nil {
		return "", fmt.Errorf("pki: %w", err)
	}
	err = f.Chmod(mode)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", errors.Join(fmt.Errorf("pki: write %s: %w", filepath.Join(dir, name), err), os.Remove(f.Name()))
	}
	return f.Name(), nil
}

// ClientConfig issues a client certificate for cn, valid from now for
// validity, and returns the TLS configuration that presents it and trusts
// only c: what a test or a simulated kiosk needs to connect as cn.
func (c *CA) ClientConfig(cn string, now time.Time, validity time.Duration) (*tls.Config, error) {
	is, err := c.IssueClient(cn, now, validity)
	if err != nil {
		return nil, err
	}
	return ClientTLS(is, c.Pool())
}
