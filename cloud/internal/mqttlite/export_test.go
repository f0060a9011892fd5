package mqttlite

// DropConnection closes the network connection under the client without
// DISCONNECT, as a crash or a cut cable would: the broker publishes the
// will and the client reconnects.
func (c *Client) DropConnection() {
	c.wmu.Lock()
	conn := c.conn
	c.wmu.Unlock()
	if conn != nil {
		conn.Close()
	}
}
