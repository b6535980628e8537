// hold-connections.js - a client that holds connections to a node and
// never finishes what it started, as a flood of strangers would (and, with
// a pinned certificate, as a peer that opens connections and sends no
// request).
//
//   node hold-connections.js PORT [--tls CERT KEY] FROM:COUNT...
//
// Opens COUNT connections to 127.0.0.1:PORT from each loopback address
// FROM, one after another.  Without --tls each sends the first bytes of a
// ClientHello and nothing more: a handshake that never ends.  With --tls
// each completes a TLS handshake with that client certificate and key and
// then sends nothing.  Prints "held FROM" once a connection is up (TCP
// connected and the bytes sent, or the TLS handshake done), "closed FROM"
// when the node closes a held one, "refused FROM" when a TLS connection is
// closed before its handshake completes, and "done N" once all N attempts
// have been made.  Holds what it has until it is killed.
// Built-in modules only.
'use strict';
const fs = require('fs');
const net = require('net');
const tls = require('tls');

const args = process.argv.slice(2);
const port = Number(args.shift());
let identity = null;
if (args[0] === '--tls') {
	identity = { cert: fs.readFileSync(args[1]), key: fs.readFileSync(args[2]) };
	args.splice(0, 3);
}
const attempts = [];
for (const spec of args) {
	const [from, count] = spec.split(':');
	for (let i = 0; i < Number(count); i++)
		attempts.push(from);
}
// The record header and the start of a ClientHello that announces more
// bytes than ever come.
const partialHello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);
const held = [];
let made = 0;

function say(line) {
	process.stdout.write(line + '\n');
}

function next() {
	if (made === attempts.length) {
		say(`done ${made}`);
		return;
	}
	const from = attempts[made++];
	let up = false, moved = false;
	const go = () => { if (!moved) { moved = true; next(); } };
	const s = identity
		? tls.connect({ host: '127.0.0.1', port, localAddress: from, cert: identity.cert,
			key: identity.key, rejectUnauthorized: false }, () => { up = true; say(`held ${from}`); go(); })
		: net.connect({ host: '127.0.0.1', port, localAddress: from }, () => {
			s.write(partialHello, () => { up = true; say(`held ${from}`); go(); });
		});
	s.on('error', () => {});
	s.on('close', () => { say(up ? `closed ${from}` : `refused ${from}`); go(); });
	held.push(s);
}

next();
