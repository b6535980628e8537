package swnode.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import org.w3c.dom.Node;

import com.helger.base.io.iface.IHasInputStream;
import com.helger.collection.commons.CommonsArrayList;
import com.helger.collection.commons.ICommonsList;
import com.helger.http.header.HttpHeaderMap;
import com.helger.mime.IMimeType;
import com.helger.phase4.attachment.IAS4IncomingAttachmentFactory;
import com.helger.phase4.attachment.WSS4JAttachment;
import com.helger.phase4.crypto.AS4CryptoFactoryInMemoryKeyStore;
import com.helger.phase4.crypto.IAS4CryptoFactory;
import com.helger.phase4.ebms3header.Ebms3PartInfo;
import com.helger.phase4.ebms3header.Ebms3PartyId;
import com.helger.phase4.ebms3header.Ebms3Property;
import com.helger.phase4.ebms3header.Ebms3SignalMessage;
import com.helger.phase4.ebms3header.Ebms3UserMessage;
import com.helger.phase4.error.AS4ErrorList;
import com.helger.phase4.incoming.AS4IncomingMessageMetadata;
import com.helger.phase4.incoming.AS4IncomingProfileSelectorConstant;
import com.helger.phase4.incoming.AS4IncomingReceiverConfiguration;
import com.helger.phase4.incoming.AS4RequestHandler;
import com.helger.phase4.incoming.IAS4IncomingMessageMetadata;
import com.helger.phase4.incoming.IAS4IncomingMessageState;
import com.helger.phase4.incoming.IAS4ResponseAbstraction;
import com.helger.phase4.incoming.crypto.AS4IncomingSecurityConfiguration;
import com.helger.phase4.incoming.spi.AS4MessageProcessorResult;
import com.helger.phase4.incoming.spi.AS4SignalMessageProcessorResult;
import com.helger.phase4.incoming.spi.IAS4IncomingMessageProcessorSPI;
import com.helger.phase4.model.error.EEbmsError;
import com.helger.phase4.model.pmode.IPMode;
import com.helger.phase4.model.pmode.PMode;
import com.helger.web.scope.mgr.WebScoped;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

/**
 * {@code serve}: JDK HttpsServer (mutual TLS, 127.0.0.1 only) in front of phase4's
 * AS4RequestHandler. Every accepted UserMessage's payloads are written to the out directory with
 * a JSON record; the reply is phase4's signed Receipt with NonRepudiationInformation.
 */
final class Server
{
  private final Peer.Args a;
  private final Profiles profile;
  private final X509Certificate peerSignCert;
  private final IAS4CryptoFactory cfSign;
  private final IAS4CryptoFactory cfCrypt;
  private final Path out;
  private final Path dump;
  private final AtomicInteger counter = new AtomicInteger ();

  Server (final Peer.Args a) throws Exception
  {
    this.a = a;
    profile = Profiles.byName (a.one ("--profile"));
    peerSignCert = Keys.cert (a.path ("--peer-sign-cert"));
    final var trust = Keys.trustStore (peerSignCert);
    cfSign = new AS4CryptoFactoryInMemoryKeyStore (Keys.keyStore ("sign",
                                                                  a.path ("--sign-key"),
                                                                  a.path ("--sign-cert")),
                                                   "sign",
                                                   Keys.PASSWORD,
                                                   trust);
    cfCrypt = new AS4CryptoFactoryInMemoryKeyStore (Keys.keyStore ("enc", a.path ("--enc-key"), a.path ("--enc-cert")),
                                                    "enc",
                                                    Keys.PASSWORD,
                                                    trust);
    out = a.path ("--out");
    Files.createDirectories (out);
    dump = a.has ("--dump") ? a.path ("--dump") : null;
    if (dump != null)
      Files.createDirectories (dump);
  }

  void run () throws Exception
  {
    final SSLContext ssl = Keys.tls (a.path ("--tls-key"), a.path ("--tls-cert"), a.path ("--trust-cert"));
    final int port = Integer.parseInt (a.one ("--port"));
    final HttpsServer srv = HttpsServer.create (new InetSocketAddress (InetAddress.getByName ("127.0.0.1"), port), 32);
    srv.setHttpsConfigurator (new HttpsConfigurator (ssl)
    {
      @Override
      public void configure (final HttpsParameters params)
      {
        final SSLParameters sp = getSSLContext ().getDefaultSSLParameters ();
        sp.setNeedClientAuth (true);
        sp.setProtocols (new String [] { "TLSv1.3", "TLSv1.2" });
        params.setSSLParameters (sp);
      }
    });
    srv.createContext ("/", this::handle);
    srv.setExecutor (Executors.newFixedThreadPool (4));
    srv.start ();
    System.out.println ("phase4-peer: listening on https://127.0.0.1:" +
                        srv.getAddress ().getPort () +
                        "/ profile " +
                        profile.name);
    System.out.flush ();
    // Runs until killed.
  }

  private static void send (final HttpExchange ex, final int status, final String text) throws IOException
  {
    final byte [] b = text.getBytes (StandardCharsets.UTF_8);
    ex.getResponseHeaders ().set ("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders (status, b.length);
    try (OutputStream os = ex.getResponseBody ())
    {
      os.write (b);
    }
  }

  private void handle (final HttpExchange ex) throws IOException
  {
    final int n = counter.incrementAndGet ();
    try
    {
      if (!"POST".equals (ex.getRequestMethod ()))
      {
        send (ex, 405, "POST only\n");
        return;
      }
      final byte [] body;
      try (InputStream is = ex.getRequestBody ())
      {
        body = is.readAllBytes ();
      }
      if (dump != null)
        dumpRequest (n, ex, body);

      final HttpHeaderMap headers = new HttpHeaderMap ();
      for (final Map.Entry <String, List <String>> e : ex.getRequestHeaders ().entrySet ())
        for (final String v : e.getValue ())
          headers.addHeader (e.getKey (), v);

      X509Certificate [] tlsCerts = null;
      if (ex instanceof HttpsExchange)
      {
        final Certificate [] pc = ((HttpsExchange) ex).getSSLSession ().getPeerCertificates ();
        tlsCerts = new X509Certificate [pc.length];
        for (int i = 0; i < pc.length; i++)
          tlsCerts[i] = (X509Certificate) pc[i];
      }
      final AS4IncomingMessageMetadata md = AS4IncomingMessageMetadata.createForRequest ()
                                                                      .setRemoteAddr (ex.getRemoteAddress ()
                                                                                        .getAddress ()
                                                                                        .getHostAddress ())
                                                                      .setRemotePort (ex.getRemoteAddress ().getPort ())
                                                                      .setRemoteTlsCerts (tlsCerts);
      final Reply reply = new Reply ();
      final PMode pmode = profile.pmode ("initiator", "responder", null);
      try (WebScoped w = new WebScoped (); AS4RequestHandler h = new AS4RequestHandler (md))
      {
        h.setCryptoFactorySign (cfSign);
        h.setCryptoFactoryCrypt (cfCrypt);
        // Whatever parties and service the message names, it is handled under this profile's
        // P-Mode (the leg security is what matters here).
        h.setPModeResolver ( (id, service, action, initiator, responder, agreement, address) -> pmode);
        h.setIncomingProfileSelector (new AS4IncomingProfileSelectorConstant (null, false));
        h.setIncomingAttachmentFactory (IAS4IncomingAttachmentFactory.DEFAULT_INSTANCE);
        h.setIncomingSecurityConfiguration (AS4IncomingSecurityConfiguration.createDefaultInstance ());
        h.setIncomingReceiverConfiguration (new AS4IncomingReceiverConfiguration ());
        h.setProcessorSupplier ( () -> new CommonsArrayList <> (new Processor ()));
        h.handleRequest (new java.io.ByteArrayInputStream (body), headers, reply);
      }
      catch (final Exception e)
      {
        System.err.println ("phase4-peer: request " + n + ": " + e);
        e.printStackTrace ();
        reply.status = 500;
        reply.body = ("Internal error: " + e + "\n").getBytes (StandardCharsets.UTF_8);
        reply.headers.clear ();
        reply.headers.add (new String [] { "Content-Type", "text/plain; charset=utf-8" });
      }
      reply.finish ();
      for (final String [] h : reply.headers)
        ex.getResponseHeaders ().add (h[0], h[1]);
      final byte [] rb = reply.body == null ? new byte [0] : reply.body;
      ex.sendResponseHeaders (reply.status, rb.length == 0 ? -1 : rb.length);
      if (dump != null)
        dumpResponse (n, ex, reply.status, rb);
      try (OutputStream os = ex.getResponseBody ())
      {
        os.write (rb);
      }
      System.out.println ("phase4-peer: request " + n + " -> HTTP " + reply.status + " (" + rb.length + " bytes)");
    }
    catch (final Exception e)
    {
      System.err.println ("phase4-peer: request " + n + " failed: " + e);
      e.printStackTrace ();
      try
      {
        send (ex, 500, "internal error\n");
      }
      catch (final Exception ignored)
      {
        // the headers may have been sent already
      }
    }
    finally
    {
      ex.close ();
    }
  }

  private void dumpRequest (final int n, final HttpExchange ex, final byte [] body) throws IOException
  {
    final StringBuilder sb = new StringBuilder ();
    sb.append (ex.getRequestMethod ())
      .append (' ')
      .append (ex.getRequestURI ())
      .append (' ')
      .append (ex.getProtocol ())
      .append ("\r\n");
    for (final Map.Entry <String, List <String>> e : ex.getRequestHeaders ().entrySet ())
      for (final String v : e.getValue ())
        sb.append (e.getKey ()).append (": ").append (v).append ("\r\n");
    sb.append ("\r\n");
    writeDump (dump.resolve (String.format ("serve-%03d-request.http", n)), sb, body);
  }

  private void dumpResponse (final int n, final HttpExchange ex, final int status, final byte [] body)
                                                                                                     throws IOException
  {
    final StringBuilder sb = new StringBuilder ();
    sb.append ("HTTP/1.1 ").append (status).append ("\r\n");
    for (final Map.Entry <String, List <String>> e : ex.getResponseHeaders ().entrySet ())
      for (final String v : e.getValue ())
        sb.append (e.getKey ()).append (": ").append (v).append ("\r\n");
    sb.append ("\r\n");
    writeDump (dump.resolve (String.format ("serve-%03d-response.http", n)), sb, body);
  }

  static void writeDump (final Path f, final CharSequence head, final byte [] body) throws IOException
  {
    try (OutputStream os = Files.newOutputStream (f))
    {
      os.write (head.toString ().getBytes (StandardCharsets.ISO_8859_1));
      os.write (body);
    }
  }

  /** Collects what phase4 answers. */
  private static final class Reply implements IAS4ResponseAbstraction
  {
    int status = 200;
    byte [] body;
    final List <String []> headers = new ArrayList <> ();

    Charset charset;

    public void setContent (final byte [] bytes, final Charset charset)
    {
      body = bytes;
      this.charset = charset;
    }

    /** The charset goes on the Content-Type, as a servlet container would put it. */
    void finish ()
    {
      final String ct = contentType ();
      if (ct != null && charset != null && !ct.toLowerCase (Locale.ROOT).contains ("charset="))
        setHeader ("Content-Type", ct + ";charset=" + charset.name ());
    }

    public void setContent (final HttpHeaderMap headerMap, final IHasInputStream his)
    {
      headerMap.forEachSingleHeader ( (k, v) -> headers.add (new String [] { k, v }), false);
      try (InputStream is = his.getInputStream ())
      {
        final ByteArrayOutputStream bos = new ByteArrayOutputStream ();
        is.transferTo (bos);
        body = bos.toByteArray ();
      }
      catch (final IOException e)
      {
        throw new IllegalStateException (e);
      }
    }

    public void setMimeType (final IMimeType mimeType)
    {
      setHeader ("Content-Type", mimeType.getAsString ());
    }

    public void setStatus (final int statusCode)
    {
      status = statusCode;
    }

    private String contentType ()
    {
      for (final String [] h : headers)
        if (h[0].equalsIgnoreCase ("Content-Type"))
          return h[1];
      return null;
    }

    private void setHeader (final String k, final String v)
    {
      headers.removeIf (h -> h[0].equalsIgnoreCase (k));
      headers.add (new String [] { k, v });
    }
  }

  private static String safe (final String s)
  {
    final String t = s.replaceAll ("[^A-Za-z0-9._@+=-]", "_");
    return t.isEmpty () || t.startsWith (".") ? "_" + t : t;
  }

  static String json (final String s)
  {
    if (s == null)
      return "null";
    final StringBuilder sb = new StringBuilder ("\"");
    for (final char c : s.toCharArray ())
    {
      if (c == '"' || c == '\\')
        sb.append ('\\').append (c);
      else
        if (c < 0x20)
          sb.append (String.format ("\\u%04x", (int) c));
        else
          sb.append (c);
    }
    return sb.append ('"').toString ();
  }

  private static String firstParty (final List <Ebms3PartyId> ids)
  {
    return ids == null || ids.isEmpty () ? null : ids.get (0).getValue ();
  }

  /** phase4 calls this for each UserMessage after verifying, decrypting and decompressing. */
  private final class Processor implements IAS4IncomingMessageProcessorSPI
  {
    public AS4MessageProcessorResult processAS4UserMessage (final IAS4IncomingMessageMetadata md,
                                                            final HttpHeaderMap httpHeaders,
                                                            final Ebms3UserMessage um,
                                                            final IPMode pmode,
                                                            final Node soapBodyPayload,
                                                            final ICommonsList <WSS4JAttachment> attachments,
                                                            final IAS4IncomingMessageState state,
                                                            final AS4ErrorList errors)
    {
      final String msgId = um.getMessageInfo ().getMessageId ();
      // phase4-lib itself does not insist on a signature: this peer does.
      String refusal = null;
      if (!state.isSoapSignatureChecked ())
        refusal = "the SOAP signature was not checked";
      else
        if (state.getSigningCertificate () == null || !state.getSigningCertificate ().equals (peerSignCert))
          refusal = "the message was not signed with the pinned peer signing certificate";
        else
          if (!state.isSoapDecrypted ())
            refusal = "the message was not encrypted";
          else
            if (soapBodyPayload != null)
              refusal = "a payload in the SOAP Body (the eDelivery profiles want an empty Body)";
      if (refusal != null)
      {
        System.err.println ("phase4-peer: refusing " + msgId + ": " + refusal);
        final EEbmsError err = refusal.startsWith ("a payload") ? EEbmsError.EBMS_POLICY_NONCOMPLIANCE
                                                                : EEbmsError.EBMS_FAILED_AUTHENTICATION;
        errors.add (err.errorBuilder (Locale.US).refToMessageInError (msgId).errorDetail (refusal).build ());
        return AS4MessageProcessorResult.createFailure ();
      }

      try
      {
        final StringBuilder rec = new StringBuilder ("{\n");
        rec.append ("  \"MessageId\": ").append (json (msgId)).append (",\n");
        rec.append ("  \"ConversationId\": ")
           .append (json (um.getCollaborationInfo ().getConversationId ()))
           .append (",\n");
        rec.append ("  \"From\": ").append (json (firstParty (um.getPartyInfo ().getFrom ().getPartyId ()))).append (",\n");
        rec.append ("  \"To\": ").append (json (firstParty (um.getPartyInfo ().getTo ().getPartyId ()))).append (",\n");
        rec.append ("  \"Service\": ").append (json (um.getCollaborationInfo ().getService ().getValue ())).append (",\n");
        rec.append ("  \"Action\": ").append (json (um.getCollaborationInfo ().getAction ())).append (",\n");
        rec.append ("  \"SigningCertificate\": ")
           .append (json (state.getSigningCertificate ().getSubjectX500Principal ().getName ()))
           .append (",\n");
        rec.append ("  \"Parts\": [");
        int i = 0;
        final List <Ebms3PartInfo> partInfos = um.getPayloadInfo () == null ? List.of ()
                                                                            : um.getPayloadInfo ().getPartInfo ();
        final int nAtt = attachments == null ? 0 : attachments.size ();
        if (nAtt != partInfos.size ())
          throw new IllegalStateException (nAtt + " attachments but " + partInfos.size () + " PartInfo");
        for (int k = 0; k < nAtt; k++)
        {
          final WSS4JAttachment att = attachments.get (k);
          final String cid = att.getId ();
          Ebms3PartInfo pi = null;
          for (final Ebms3PartInfo p : partInfos)
            if (p.getHref () != null && p.getHref ().equals ("cid:" + cid))
              pi = p;
          if (pi == null)
            throw new IllegalStateException ("no PartInfo for attachment " + cid);
          String mimeProp = null;
          String compressionProp = null;
          final StringBuilder props = new StringBuilder ();
          if (pi.getPartProperties () != null)
            for (final Ebms3Property p : pi.getPartProperties ().getProperty ())
            {
              if ("MimeType".equals (p.getName ()))
                mimeProp = p.getValue ();
              if ("CompressionType".equals (p.getName ()))
                compressionProp = p.getValue ();
              props.append (props.length () == 0 ? "" : ", ")
                   .append (json (p.getName ()))
                   .append (": ")
                   .append (json (p.getValue ()));
            }
          final Path file = out.resolve (safe (cid));
          final Path tmp = out.resolve (".tmp-" + safe (cid));
          long size;
          try (InputStream is = att.getInputStreamProvider ().getInputStream ())
          {
            size = Files.copy (is, tmp, StandardCopyOption.REPLACE_EXISTING);
          }
          Files.move (tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          rec.append (i++ == 0 ? "\n" : ",\n");
          rec.append ("    {\"ContentId\": ")
             .append (json (cid))
             .append (", \"File\": ")
             .append (json (file.getFileName ().toString ()))
             .append (", \"Size\": ")
             .append (size)
             .append (", \"MimeType\": ")
             .append (json (mimeProp))
             .append (", \"Compressed\": ")
             .append (state.containsCompressedAttachmentID (cid) || compressionProp != null)
             .append (", \"PartProperties\": {")
             .append (props)
             .append ("}}");
        }
        rec.append (i == 0 ? "]\n}\n" : "\n  ]\n}\n");
        final Path recFile = out.resolve (safe (msgId) + ".json");
        final Path tmp = out.resolve (".tmp-" + safe (msgId) + ".json");
        Files.writeString (tmp, rec, StandardCharsets.UTF_8);
        Files.move (tmp, recFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println ("phase4-peer: received " + msgId + " with " + nAtt + " part(s) -> " + recFile);
        return AS4MessageProcessorResult.createSuccess ();
      }
      catch (final Exception e)
      {
        System.err.println ("phase4-peer: storing " + msgId + " failed: " + e);
        errors.add (EEbmsError.EBMS_OTHER.errorBuilder (Locale.US)
                                          .refToMessageInError (msgId)
                                          .errorDetail ("storing the payload failed: " + e)
                                          .build ());
        return AS4MessageProcessorResult.createFailure ();
      }
    }

    public AS4SignalMessageProcessorResult processAS4SignalMessage (final IAS4IncomingMessageMetadata md,
                                                                    final HttpHeaderMap httpHeaders,
                                                                    final Ebms3SignalMessage sm,
                                                                    final IPMode pmode,
                                                                    final IAS4IncomingMessageState state,
                                                                    final AS4ErrorList errors)
    {
      System.err.println ("phase4-peer: ignoring a signal message (this peer only receives UserMessages)");
      return AS4SignalMessageProcessorResult.createSuccess ();
    }

    public void processAS4ResponseMessage (final IAS4IncomingMessageMetadata md,
                                           final IAS4IncomingMessageState state,
                                           final String responseMessageId,
                                           final byte [] responseBytes,
                                           final boolean responsePayloadIsAvailable,
                                           final AS4ErrorList errors)
    {}
  }
}
