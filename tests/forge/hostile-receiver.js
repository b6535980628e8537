// hostile-receiver.js - an AS4 receiver that answers every message with a
// Receipt genuinely signed with the receiver's own key, as a dishonest
// receiver could: it repeats the message's references (so the Receipt
// matches what was sent), and signs through tests/forge/dsig_forge.
//
//   node hostile-receiver.js PORT DIR FORGE
//
// DIR holds tls.pem/tls.key (the receiver's TLS identity), peer-tls.pem
// (the sender's TLS certificate, the only client accepted), signing.key
// and signing.pem (the receiver's signing identity), and the file `mode`,
// read for every request:
//   honest   references "#NCName" to the processed eb:Messaging and Body;
//   xpointer references "#xpointer(id('...'))": the processed eb:Messaging
//            (a Receipt) carries the expression as its wsu:Id, and what is
//            signed is an eb:Error hidden in another header block.
// FORGE is the dsig_forge program.  Prints "ready PORT" once it listens.
// Built-in modules only.
'use strict';
const fs = require('fs');
const https = require('https');
const path = require('path');
const { execFileSync } = require('child_process');

const [port, dir, forge] = process.argv.slice(2);
const NS = 'xmlns:env="http://www.w3.org/2003/05/soap-envelope"' +
	' xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"' +
	' xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"' +
	' xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"' +
	' xmlns:ds="http://www.w3.org/2000/09/xmldsig#"' +
	' xmlns:ebbp="http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0"';

function reference(uri) {
	return `<ds:Reference URI="#${uri}"><ds:Transforms>` +
		'<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>' +
		'<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>' +
		'<ds:DigestValue/></ds:Reference>';
}

function signal(msgid, inner) {
	return `<eb:SignalMessage><eb:MessageInfo><eb:Timestamp>${new Date().toISOString()}` +
		`</eb:Timestamp><eb:MessageId>receipt-${Date.now()}@SG-NTP</eb:MessageId>` +
		`<eb:RefToMessageId>${msgid}</eb:RefToMessageId></eb:MessageInfo>${inner}</eb:SignalMessage>`;
}

function receipt(message, mode, sigalg) {
	const msgid = /<eb:MessageId>([^<]*)<\/eb:MessageId>/.exec(message)[1];
	const signedInfo = /<ds:SignedInfo>([\s\S]*?)<\/ds:SignedInfo>/.exec(message)[1];
	const refs = signedInfo.match(/<ds:Reference [\s\S]*?<\/ds:Reference>/g);
	const nri = '<eb:Receipt><ebbp:NonRepudiationInformation>' +
		refs.map((r) => `<ebbp:MessagePartNRInformation>${r}</ebbp:MessagePartNRInformation>`).join('') +
		'</ebbp:NonRepudiationInformation></eb:Receipt>';
	const error = '<eb:Error category="Content" errorCode="EBMS:0004" origin="ebms" severity="failure"' +
		' shortDescription="Other"><eb:Description xml:lang="en">not accepted</eb:Description></eb:Error>';
	const m = mode === 'xpointer' ? "xpointer(id('signed-messaging'))" : 'm1';
	const b = mode === 'xpointer' ? "xpointer(id('signed-body'))" : 'b1';
	const hidden = mode === 'xpointer'
		? '<h:Hidden xmlns:h="urn:attack"><eb:Messaging wsu:Id="signed-messaging">' +
		  signal(msgid, error) + '</eb:Messaging><env:Body wsu:Id="signed-body"/></h:Hidden>'
		: '';
	return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope ${NS}><env:Header>` +
		`<eb:Messaging env:mustUnderstand="true" wsu:Id="${m}">${signal(msgid, nri)}</eb:Messaging>` +
		'<wsse:Security env:mustUnderstand="true"><ds:Signature><ds:SignedInfo>' +
		'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
		`<ds:SignatureMethod Algorithm="${sigalg}"/>` + reference(m) + reference(b) +
		'</ds:SignedInfo><ds:SignatureValue/></ds:Signature></wsse:Security>' + hidden +
		`</env:Header><env:Body wsu:Id="${b}"/></env:Envelope>`;
}

const file = (f) => path.join(dir, f);
const server = https.createServer({
	key: fs.readFileSync(file('tls.key')),
	cert: fs.readFileSync(file('tls.pem')),
	ca: fs.readFileSync(file('peer-tls.pem')),
	requestCert: true,
	rejectUnauthorized: true,
}, (req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		try {
			const mode = fs.readFileSync(file('mode'), 'utf8').trim();
			const sigalg = fs.readFileSync(file('sigalg'), 'utf8').trim();
			const template = file('template.xml'), signed = file('signed.xml');
			fs.writeFileSync(template, receipt(Buffer.concat(chunks).toString('utf8'), mode, sigalg));
			execFileSync(forge, [file('signing.key'), file('signing.pem'), template, signed]);
			res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=UTF-8' });
			res.end(fs.readFileSync(signed));
		} catch (e) {
			res.writeHead(500);
			res.end(String(e));
		}
	});
});
server.listen(Number(port), '127.0.0.1', () => console.log(`ready ${port}`));
