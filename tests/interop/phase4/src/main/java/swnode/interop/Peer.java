package swnode.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.helger.servlet.mock.MockServletContext;
import com.helger.web.scope.mgr.WebScopeManager;

/**
 * swnode's AS4 test peer on phase4: {@code serve} and {@code send}. See README.md beside pom.xml.
 */
public final class Peer
{
  private static final String USAGE = String.join ("\n",
                                                   "usage:",
                                                   "  serve --port N --tls-key K --tls-cert C --trust-cert PEER_TLS_CERT",
                                                   "        --sign-key K --sign-cert C --peer-sign-cert C --enc-key K --enc-cert C",
                                                   "        --profile P --out DIR [--dump DIR]",
                                                   "  send  --url U --tls-key K --tls-cert C --trust-cert PEER_TLS_CERT",
                                                   "        --sign-key K --sign-cert C --peer-sign-cert C --peer-enc-cert C",
                                                   "        --profile P [--gzip] --payload FILE [--payload FILE ...]",
                                                   "        --from PARTY --to PARTY --service S --action A",
                                                   "        [--party-type T] [--mime-type M] [--payload-type M ...] [--message-id ID]",
                                                   "        [--agreement REF] [--dump DIR]",
                                                   "  profiles: edelivery-2.0, edelivery-2.0-ecdsa, edelivery-1.15",
                                                   "  --port 0 picks a free port; the 'listening on' line names it.");

  private static final Set <String> FLAGS = Set.of ("--gzip");

  /** Parsed "--name value" options; a few may repeat. */
  static final class Args
  {
    final Map <String, List <String>> m = new LinkedHashMap <> ();

    Args (final String [] argv, final int from)
    {
      for (int i = from; i < argv.length; i++)
      {
        final String k = argv[i];
        if (!k.startsWith ("--"))
          throw new IllegalArgumentException ("unexpected argument '" + k + "'");
        if (FLAGS.contains (k))
          m.computeIfAbsent (k, x -> new ArrayList <> ()).add ("true");
        else
        {
          if (i + 1 >= argv.length)
            throw new IllegalArgumentException (k + " needs a value");
          m.computeIfAbsent (k, x -> new ArrayList <> ()).add (argv[++i]);
        }
      }
    }

    boolean has (final String k)
    {
      return m.containsKey (k);
    }

    String one (final String k)
    {
      final List <String> v = m.get (k);
      if (v == null)
        throw new IllegalArgumentException ("missing " + k);
      if (v.size () != 1)
        throw new IllegalArgumentException (k + " given more than once");
      return v.get (0);
    }

    List <String> all (final String k)
    {
      return m.getOrDefault (k, List.of ());
    }

    Path path (final String k)
    {
      return Path.of (one (k));
    }
  }

  private Peer ()
  {}

  public static void main (final String [] argv) throws Exception
  {
    if (argv.length < 1 || !(argv[0].equals ("serve") || argv[0].equals ("send")))
    {
      System.err.println (USAGE);
      System.exit (2);
    }
    final Args a;
    try
    {
      a = new Args (argv, 1);
      Profiles.byName (a.one ("--profile"));
    }
    catch (final IllegalArgumentException e)
    {
      System.err.println ("phase4-peer: " + e.getMessage ());
      System.err.println (USAGE);
      System.exit (2);
      return;
    }

    // phase4 keeps its managers (P-Modes, duplicate detection) in memory and writes nothing
    // into the working directory.
    final Path data = Files.createTempDirectory ("phase4-peer-");
    System.setProperty ("phase4.manager.inmemory", "true");
    System.setProperty ("global.datapath", data.toString ());
    System.setProperty ("global.nostartupinfo", "true");

    WebScopeManager.onGlobalBegin (MockServletContext.create ());
    int rc;
    try
    {
      if (argv[0].equals ("serve"))
      {
        new Server (a).run ();
        // The server threads keep the JVM alive; the global scope stays open.
        return;
      }
      rc = Sender.run (a);
    }
    catch (final IllegalArgumentException e)
    {
      System.err.println ("phase4-peer: " + e.getMessage ());
      rc = 2;
    }
    catch (final Exception e)
    {
      System.err.println ("phase4-peer: " + e);
      e.printStackTrace ();
      System.out.println ("FAIL: " + e);
      rc = 1;
    }
    WebScopeManager.onGlobalEnd ();
    System.exit (rc);
  }
}
