<?xml version="1.0"?>
<!-- A second, unsigned eb:Messaging beside the signed one. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <xsl:import href="identity.xsl"/>
  <xsl:template match="eb:Messaging">
    <xsl:copy-of select="."/>
    <eb:Messaging wsu:Id="unsigned-messaging">
      <xsl:copy-of select="eb:UserMessage"/>
    </eb:Messaging>
  </xsl:template>
</xsl:stylesheet>
