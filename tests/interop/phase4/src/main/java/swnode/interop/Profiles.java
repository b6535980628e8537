package swnode.interop;

import com.helger.base.state.ETriState;
import com.helger.phase4.CAS4;
import com.helger.phase4.crypto.AS4CryptParams;
import com.helger.phase4.crypto.ECryptoAlgorithmCrypt;
import com.helger.phase4.crypto.ECryptoAlgorithmSign;
import com.helger.phase4.crypto.ECryptoAlgorithmSignDigest;
import com.helger.phase4.crypto.ECryptoKeyEncryptionAlgorithm;
import com.helger.phase4.model.EMEP;
import com.helger.phase4.model.EMEPBinding;
import com.helger.phase4.model.pmode.PMode;
import com.helger.phase4.model.pmode.PModeParty;
import com.helger.phase4.model.pmode.PModePayloadService;
import com.helger.phase4.model.pmode.PModeReceptionAwareness;
import com.helger.phase4.model.pmode.leg.EPModeSendReceiptReplyPattern;
import com.helger.phase4.model.pmode.leg.PModeLeg;
import com.helger.phase4.model.pmode.leg.PModeLegBusinessInformation;
import com.helger.phase4.model.pmode.leg.PModeLegErrorHandling;
import com.helger.phase4.model.pmode.leg.PModeLegProtocol;
import com.helger.phase4.model.pmode.leg.PModeLegReliability;
import com.helger.phase4.model.pmode.leg.PModeLegSecurity;
import com.helger.phase4.wss.EWSSVersion;

/**
 * The three eDelivery profiles as P-Modes built in code. The values follow phase4's own
 * eDelivery 2.0 P-Mode (phase4-profile-edelivery2 EDelivery2PMode) and its CEF (eDelivery 1.15)
 * P-Mode; no phase4 profile module is used, so no registered profile validator takes part.
 */
enum Profiles
{
  EDELIVERY_2_0 ("edelivery-2.0", ECryptoAlgorithmSign.EDDSA_ED25519),
  EDELIVERY_2_0_ECDSA ("edelivery-2.0-ecdsa", ECryptoAlgorithmSign.ECDSA_SHA_256),
  EDELIVERY_1_15 ("edelivery-1.15", ECryptoAlgorithmSign.RSA_SHA_256);

  /** Any non-empty id; no profile of that id is registered, so none is validated against. */
  static final String AS4_PROFILE_ID = "swnode-phase4-peer";
  static final String AGREEMENT = "urn:as4:agreement";

  final String name;
  final ECryptoAlgorithmSign signAlg;

  Profiles (final String name, final ECryptoAlgorithmSign signAlg)
  {
    this.name = name;
    this.signAlg = signAlg;
  }

  static Profiles byName (final String s)
  {
    for (final Profiles p : values ())
      if (p.name.equals (s))
        return p;
    throw new IllegalArgumentException ("unknown profile '" + s +
                                        "' (edelivery-2.0, edelivery-2.0-ecdsa, edelivery-1.15)");
  }

  PModeLegSecurity legSecurity ()
  {
    final PModeLegSecurity s = new PModeLegSecurity ();
    s.setWSSVersion (EWSSVersion.WSS_111);
    s.setX509SignatureAlgorithm (signAlg);
    s.setX509SignatureHashFunction (ECryptoAlgorithmSignDigest.DIGEST_SHA_256);
    s.setX509EncryptionAlgorithm (ECryptoAlgorithmCrypt.AES_128_GCM);
    s.setX509EncryptionMinimumStrength (Integer.valueOf (128));
    s.setPModeAuthorize (false);
    s.setSendReceipt (true);
    s.setSendReceiptNonRepudiation (true);
    s.setSendReceiptReplyPattern (EPModeSendReceiptReplyPattern.RESPONSE);
    return s;
  }

  /** Key transport (1.15) or key agreement (2.0) on top of what the P-Mode gives. */
  void applyCrypt (final AS4CryptParams cp)
  {
    cp.setAlgorithmCrypt (ECryptoAlgorithmCrypt.AES_128_GCM);
    switch (this)
    {
      case EDELIVERY_2_0:
        cp.setEDelivery2KeyAgreementX25519 ();
        break;
      case EDELIVERY_2_0_ECDSA:
        cp.setEDelivery2KeyAgreementECDHES ();
        break;
      default:
        // RSA-OAEP (xmlenc11) with MGF1-SHA256 and SHA-256: phase4's defaults, set explicitly
        cp.setKeyAgreementMethod (null);
        cp.setKeyEncAlgorithm (ECryptoKeyEncryptionAlgorithm.RSA_OAEP_XENC11);
        cp.setMGFAlgorithm ("http://www.w3.org/2009/xmlenc11#mgf1sha256");
        cp.setDigestAlgorithm ("http://www.w3.org/2001/04/xmlenc#sha256");
        break;
    }
  }

  /** One-Way/Push P-Mode between the two parties, as phase4's eDelivery P-Modes build it. */
  PMode pmode (final String initiatorId, final String responderId, final String address)
  {
    final PModeParty initiator = PModeParty.createSimple (initiatorId, CAS4.DEFAULT_INITIATOR_URL);
    final PModeParty responder = PModeParty.createSimple (responderId, CAS4.DEFAULT_RESPONDER_URL);
    final PModeLeg leg = new PModeLeg (PModeLegProtocol.createForDefaultSoapVersion (address),
                                       PModeLegBusinessInformation.create (null,
                                                                           CAS4.DEFAULT_ACTION_URL,
                                                                           null,
                                                                           CAS4.DEFAULT_MPC_ID),
                                       new PModeLegErrorHandling (null,
                                                                  null,
                                                                  ETriState.TRUE,
                                                                  ETriState.TRUE,
                                                                  ETriState.TRUE,
                                                                  ETriState.TRUE),
                                       (PModeLegReliability) null,
                                       legSecurity ());
    // Retries are the sender's business; this peer sends once (see Sender).
    final PModeReceptionAwareness ra = new PModeReceptionAwareness (ETriState.TRUE,
                                                                    ETriState.FALSE,
                                                                    0,
                                                                    10_000,
                                                                    ETriState.TRUE);
    return new PMode ("swnode-" + name + "-" + initiatorId + "-" + responderId,
                      initiator,
                      responder,
                      AGREEMENT,
                      EMEP.ONE_WAY,
                      EMEPBinding.PUSH,
                      leg,
                      (PModeLeg) null,
                      (PModePayloadService) null,
                      ra);
  }
}
