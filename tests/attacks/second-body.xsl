<?xml version="1.0"?>
<!-- A second, unsigned soap:Body after the signed one. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:env="http://www.w3.org/2003/05/soap-envelope">
  <xsl:import href="identity.xsl"/>
  <xsl:template match="env:Body">
    <xsl:copy-of select="."/>
    <env:Body><Forged xmlns="urn:attack">unsigned</Forged></env:Body>
  </xsl:template>
</xsl:stylesheet>
