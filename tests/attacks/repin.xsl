<?xml version="1.0"?>
<!-- Not an attack: setup.  Pins another signing certificate in an
     agreement (its description as swnode writes it, and an acceptance
     window inside its validity), for the certificate-date attacks. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:a="urn:swnode:agreement:1">
  <xsl:import href="identity.xsl"/>
  <xsl:param name="sha256"/>
  <xsl:param name="notBefore"/>
  <xsl:param name="notAfter"/>
  <xsl:param name="subject"/>
  <xsl:param name="pem"/>
  <xsl:template match="a:signingCertificate">
    <xsl:copy>
      <xsl:attribute name="sha256"><xsl:value-of select="$sha256"/></xsl:attribute>
      <xsl:attribute name="notBefore"><xsl:value-of select="$notBefore"/></xsl:attribute>
      <xsl:attribute name="notAfter"><xsl:value-of select="$notAfter"/></xsl:attribute>
      <xsl:copy-of select="@keyType"/>
      <xsl:attribute name="acceptFrom"><xsl:value-of select="$notBefore"/></xsl:attribute>
      <xsl:attribute name="acceptUntil"><xsl:value-of select="$notAfter"/></xsl:attribute>
      <a:subject><xsl:value-of select="$subject"/></a:subject>
      <a:pem><xsl:value-of select="$pem"/></a:pem>
    </xsl:copy>
  </xsl:template>
</xsl:stylesheet>
