package swnode.interop;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.apache.hc.core5.util.Timeout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import com.helger.httpclient.HttpClientSettings;
import com.helger.mime.IMimeType;
import com.helger.mime.parse.MimeTypeParser;
import com.helger.phase4.attachment.AS4OutgoingAttachment;
import com.helger.phase4.attachment.IAS4IncomingAttachmentFactory;
import com.helger.phase4.client.IAS4ClientBuildMessageCallback;
import com.helger.phase4.crypto.AS4CryptoFactoryInMemoryKeyStore;
import com.helger.phase4.crypto.IAS4CryptoFactory;
import com.helger.phase4.dump.AS4OutgoingDumperSingleUse;
import com.helger.phase4.ebms3header.Ebms3Error;
import com.helger.phase4.ebms3header.Ebms3SignalMessage;
import com.helger.phase4.incoming.AS4IncomingProfileSelectorConstant;
import com.helger.phase4.incoming.IAS4IncomingMessageState;
import com.helger.phase4.model.pmode.PMode;
import com.helger.phase4.sender.AS4Sender;
import com.helger.phase4.sender.EAS4UserMessageSendResult;

/**
 * {@code send}: one UserMessage, each payload a MIME attachment, over mutual TLS; then the
 * reply is checked here (phase4's own receipt check is lax): a Receipt, signed with the pinned
 * peer certificate, RefToMessageId equal to the sent MessageId, and NonRepudiationInformation
 * repeating every ds:Reference (URI, digest method, digest value) of the sent signature.
 */
final class Sender
{
  static final String DSIG = "http://www.w3.org/2000/09/xmldsig#";
  static final String EBBP = "http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0";

  private Sender ()
  {}

  /** URI to "DigestMethod DigestValue" of each ds:Reference in the first SignedInfo below root. */
  static Map <String, String> references (final Node root)
  {
    final Map <String, String> ret = new LinkedHashMap <> ();
    final NodeList refs = root instanceof Document ? ((Document) root).getElementsByTagNameNS (DSIG, "Reference")
                                                   : ((Element) root).getElementsByTagNameNS (DSIG, "Reference");
    for (int i = 0; i < refs.getLength (); i++)
    {
      final Element r = (Element) refs.item (i);
      final Element dm = (Element) r.getElementsByTagNameNS (DSIG, "DigestMethod").item (0);
      final Element dv = (Element) r.getElementsByTagNameNS (DSIG, "DigestValue").item (0);
      ret.put (r.getAttribute ("URI"),
               (dm == null ? "?" : dm.getAttribute ("Algorithm")) +
                                       " " +
                                       (dv == null ? "?" : dv.getTextContent ().replaceAll ("\\s", "")));
    }
    return ret;
  }

  static int run (final Peer.Args a) throws Exception
  {
    final Profiles profile = Profiles.byName (a.one ("--profile"));
    final X509Certificate peerSignCert = Keys.cert (a.path ("--peer-sign-cert"));
    final X509Certificate peerEncCert = Keys.cert (a.path ("--peer-enc-cert"));
    final var trust = Keys.trustStore (peerSignCert);
    final IAS4CryptoFactory cfSign = new AS4CryptoFactoryInMemoryKeyStore (Keys.keyStore ("sign",
                                                                                          a.path ("--sign-key"),
                                                                                          a.path ("--sign-cert")),
                                                                           "sign",
                                                                           Keys.PASSWORD,
                                                                           trust);
    // Encryption uses the peer's certificate only; the crypt factory holds our signing entry
    // because phase4 wants one, and the same trust store.
    final IAS4CryptoFactory cfCrypt = cfSign;

    final String url = a.one ("--url");
    final String from = a.one ("--from");
    final String to = a.one ("--to");
    final String messageId = a.has ("--message-id") ? a.one ("--message-id")
                                                    : UUID.randomUUID () + "@phase4-peer.swnode.invalid";
    final boolean gzip = a.has ("--gzip");
    final Path dump = a.has ("--dump") ? a.path ("--dump") : null;
    if (dump != null)
      Files.createDirectories (dump);
    final String tag = dump == null ? null : profile.name + "-" + messageId.replaceAll ("[^A-Za-z0-9.-]", "_");

    System.out.println ("MessageId: " + messageId);

    final HttpClientSettings hcs = new HttpClientSettings ();
    hcs.setSSLContext (Keys.tls (a.path ("--tls-key"), a.path ("--tls-cert"), a.path ("--trust-cert")));
    hcs.setRetryCount (0);
    hcs.setConnectTimeout (Timeout.ofSeconds (10));
    hcs.setResponseTimeout (Timeout.ofSeconds (300));

    final PMode pmode = profile.pmode (from, to, url);

    final List <AS4OutgoingAttachment> atts = new ArrayList <> ();
    final IMimeType mime = MimeTypeParser.parseMimeType (a.has ("--mime-type") ? a.one ("--mime-type")
                                                                               : "application/octet-stream");
    // --payload-type, repeated, gives the payloads' types in order; the rest take --mime-type.
    // (phase4 parses an uncompressed XML-typed payload, so binary parts need their own type.)
    final List <String> types = a.all ("--payload-type");
    int index = 0;
    for (final String p : a.all ("--payload"))
    {
      final Path f = Path.of (p);
      if (!Files.isRegularFile (f))
        throw new IllegalArgumentException ("--payload " + p + ": not a file");
      final IMimeType type = index < types.size () ? MimeTypeParser.parseMimeType (types.get (index)) : mime;
      index++;
      final AS4OutgoingAttachment.Builder b = AS4OutgoingAttachment.builder ()
                                                                   .data (f.toFile ())
                                                                   .filename (f.getFileName ().toString ())
                                                                   .mimeType (type);
      if (gzip)
        b.compressionGZIP ();
      atts.add (b.build ());
    }
    if (atts.isEmpty ())
      throw new IllegalArgumentException ("send: at least one --payload");

    final AtomicReference <Map <String, String>> sentRefs = new AtomicReference <> ();
    final AtomicReference <Ebms3SignalMessage> signal = new AtomicReference <> ();
    final AtomicReference <IAS4IncomingMessageState> signalState = new AtomicReference <> ();

    OutputStream dumpOut = null;
    final AS4Sender.BuilderUserMessage b = AS4Sender.builderUserMessage ()
                                                    .httpClientFactory (hcs)
                                                    .cryptoFactorySign (cfSign)
                                                    .cryptoFactoryCrypt (cfCrypt)
                                                    .as4ProfileID (Profiles.AS4_PROFILE_ID)
                                                    .pmode (pmode)
                                                    .pmodeResolver ( (id,
                                                                      service,
                                                                      action,
                                                                      initiator,
                                                                      responder,
                                                                      agreement,
                                                                      address) -> pmode)
                                                    .incomingProfileSelector (new AS4IncomingProfileSelectorConstant (null,
                                                                                                                      false))
                                                    .incomingAttachmentFactory (IAS4IncomingAttachmentFactory.DEFAULT_INSTANCE)
                                                    .messageID (messageId)
                                                    .service (a.one ("--service"))
                                                    .action (a.one ("--action"))
                                                    .agreementRef (a.has ("--agreement") ? a.one ("--agreement")
                                                                                         : Profiles.AGREEMENT)
                                                    .fromPartyID (from)
                                                    .fromRole (pmode.getInitiator ().getRole ())
                                                    .toPartyID (to)
                                                    .toRole (pmode.getResponder ().getRole ())
                                                    .endpointURL (url)
                                                    .receiverCertificate (peerEncCert)
                                                    .withCryptParams (profile::applyCrypt)
                                                    .attachments (atts)
                                                    .buildMessageCallback (new IAS4ClientBuildMessageCallback ()
                                                    {
                                                      @Override
                                                      public void onSignedSoapDocument (final Document doc)
                                                      {
                                                        sentRefs.set (references (doc));
                                                      }
                                                    })
                                                    .signalMsgConsumer ( (sm, md, state) -> {
                                                      signal.set (sm);
                                                      signalState.set (state);
                                                    });
    if (a.has ("--party-type"))
      b.fromPartyIDType (a.one ("--party-type")).toPartyIDType (a.one ("--party-type"));
    if (dump != null)
    {
      dumpOut = Files.newOutputStream (dump.resolve ("send-" + tag + "-request.http"));
      b.outgoingDumper (new AS4OutgoingDumperSingleUse (dumpOut));
      b.rawResponseConsumer (resp -> {
        try
        {
          final StringBuilder sb = new StringBuilder ();
          sb.append (resp.getResponseStatusLine ()).append ("\r\n");
          resp.getResponseHeaders ()
              .forEachSingleHeader ( (k, v) -> sb.append (k).append (": ").append (v).append ("\r\n"), false);
          sb.append ("\r\n");
          final byte [] body = resp.getResponseContent ();
          Server.writeDump (dump.resolve ("send-" + tag + "-reply.http"), sb, body == null ? new byte [0] : body);
        }
        catch (final Exception e)
        {
          System.err.println ("phase4-peer: dumping the reply failed: " + e);
        }
      });
    }

    final EAS4UserMessageSendResult res;
    try
    {
      res = b.sendMessageAndCheckForReceipt (ex -> System.err.println ("phase4-peer: sending failed: " + ex));
    }
    finally
    {
      if (dumpOut != null)
        dumpOut.close ();
    }
    System.out.println ("phase4 result: " + res);

    final List <String> fails = new ArrayList <> ();
    final Ebms3SignalMessage sm = signal.get ();
    if (sm == null)
      fails.add ("no signal message in the reply (" + res + ")");
    else
    {
      if (sm.hasErrorEntries ())
        for (final Ebms3Error e : sm.getError ())
          fails.add ("error signal " +
                     e.getErrorCode () +
                     " " +
                     e.getShortDescription () +
                     (e.getErrorDetail () == null ? "" : ": " + e.getErrorDetail ()));
      if (sm.getReceipt () == null)
        fails.add ("the reply is not a Receipt");
      final String ref = sm.getMessageInfo ().getRefToMessageId ();
      if (!messageId.equals (ref))
        fails.add ("RefToMessageId is '" + ref + "', not the sent '" + messageId + "'");
      final IAS4IncomingMessageState st = signalState.get ();
      if (st == null || !st.isSoapSignatureChecked ())
        fails.add ("the reply's signature was not checked");
      else
        if (!peerSignCert.equals (st.getSigningCertificate ()))
          fails.add ("the reply was not signed with --peer-sign-cert");
      if (sm.getReceipt () != null)
      {
        final Map <String, String> sent = sentRefs.get ();
        final Map <String, String> nri = new LinkedHashMap <> ();
        // Read the NRI from the reply's own SOAP document (eb:Receipt's content as received).
        final IAS4IncomingMessageState st2 = signalState.get ();
        final Document replyDoc = st2 == null ? null : st2.getOriginalSoapDocument ();
        if (replyDoc != null)
        {
          final NodeList l = replyDoc.getElementsByTagNameNS (EBBP, "NonRepudiationInformation");
          for (int i = 0; i < l.getLength (); i++)
            nri.putAll (references (l.item (i)));
        }
        if (sent == null || sent.isEmpty ())
          fails.add ("the sent message had no signature references");
        else
          if (nri.isEmpty ())
            fails.add ("the Receipt has no NonRepudiationInformation references");
          else
          {
            for (final Map.Entry <String, String> e : sent.entrySet ())
              if (!e.getValue ().equals (nri.get (e.getKey ())))
                fails.add ("NRI for " + e.getKey () + " is '" + nri.get (e.getKey ()) + "', sent '" + e.getValue () + "'");
            for (final String u : nri.keySet ())
              if (!sent.containsKey (u))
                fails.add ("NRI names " + u + ", which was not signed");
            if (fails.isEmpty ())
              System.out.println ("NRI: " + nri.size () + " references match the sent signature");
          }
      }
    }
    if (fails.isEmpty () && res != EAS4UserMessageSendResult.SUCCESS)
      fails.add ("phase4 says " + res);
    for (final String f : fails)
      System.out.println ("FAIL: " + f);
    System.out.println (fails.isEmpty () ? "OK " + messageId : "FAILED " + messageId);
    return fails.isEmpty () ? 0 : 1;
  }
}
