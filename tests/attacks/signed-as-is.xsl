<?xml version="1.0"?>
<!-- An honest signature template over the message as it is: References
     to the eb:Messaging and soap:Body by their wsu:Id, as swnode signs.
     Signed by tests/forge/dsig_forge with the peer's own key, for a
     message `swnode as4 sign` will not sign (it refuses a malformed
     header before signing). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:env="http://www.w3.org/2003/05/soap-envelope"
    xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
    xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <xsl:import href="identity.xsl"/>
  <xsl:param name="sigalg">http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256</xsl:param>
  <xsl:template match="wsse:Security">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <ds:Signature>
        <ds:SignedInfo>
          <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
          <ds:SignatureMethod Algorithm="{$sigalg}"/>
          <ds:Reference URI="#{../eb:Messaging/@wsu:Id}">
            <ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>
            <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
            <ds:DigestValue/>
          </ds:Reference>
          <ds:Reference URI="#{../../env:Body/@wsu:Id}">
            <ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>
            <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
            <ds:DigestValue/>
          </ds:Reference>
        </ds:SignedInfo>
        <ds:SignatureValue/>
      </ds:Signature>
    </xsl:copy>
  </xsl:template>
</xsl:stylesheet>
