#!/bin/sh
# ephyto-hub-schemas.sh OUTDIR [WSDL]
#
# Extracts the inline xs:schema elements of the IPPC ePhyto hub WSDL into
# OUTDIR/hub-schema-N.xsd (N = position in wsdl:types), adds to every
# xs:import the schemaLocation of the extracted file that has the imported
# targetNamespace (the WSDL leaves them out), and writes OUTDIR/driver.xsd,
# which imports every extracted schema, so that
#
#     xmllint --noout --schema OUTDIR/driver.xsd doc.xml
#
# validates an rsm:SPSCertificate document against the hub's own schemas.
# WSDL defaults to ../shared/reference/ephyto-hub/ephyto-hub.wsdl beside the
# repository that holds this script.  The WSDL is only read; everything is
# written under OUTDIR.  Exit status: 0 ok, 1 failure, 2 usage.
#
# swnode ships the result as its international schema for ephyto
# (schemas/ephyto/hub/, named by schemas/doctypes.xml; see its NOTICE).
# Regenerate it with
#
#     sh tests/tools/ephyto-hub-schemas.sh schemas/ephyto/hub
#
# tests/tools/check-ephyto.sh fails when the shipped files differ from a
# fresh extraction.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 OUTDIR [WSDL]" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
wsdl=${2:-$here/../../../shared/reference/ephyto-hub/ephyto-hub.wsdl}
if [ ! -r "$wsdl" ]; then
    echo "$0: cannot read the hub WSDL $wsdl; pass its path as the second argument" >&2
    exit 1
fi
mkdir -p "$out"

xsl=$out/.extract-hub-schemas.xsl
trap 'rm -f "$xsl"' EXIT
cat > "$xsl" <<'XSL'
<?xml version="1.0" encoding="UTF-8"?>
<!-- which = N: copy the N-th inline schema with schemaLocation hints;
     which = driver: a no-namespace schema that imports all of them. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">
  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:param name="which"/>
  <xsl:variable name="schemas" select="/wsdl:definitions/wsdl:types/xs:schema"/>

  <xsl:template name="file-for">
    <xsl:param name="ns"/>
    <xsl:variable name="s" select="$schemas[string(@targetNamespace) = $ns][1]"/>
    <xsl:if test="$s">
      <xsl:value-of select="concat('hub-schema-', count($s/preceding-sibling::xs:schema) + 1, '.xsd')"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="$which = 'driver'">
        <xs:schema>
          <xsl:for-each select="$schemas">
            <xs:import namespace="{@targetNamespace}"
                       schemaLocation="hub-schema-{position()}.xsd"/>
          </xsl:for-each>
        </xs:schema>
      </xsl:when>
      <xsl:otherwise>
        <xsl:apply-templates select="$schemas[position() = number($which)]"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="xs:import[not(@schemaLocation)]">
    <xsl:variable name="loc">
      <xsl:call-template name="file-for">
        <xsl:with-param name="ns" select="string(@namespace)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:copy>
      <xsl:apply-templates select="@*"/>
      <xsl:if test="$loc != ''">
        <xsl:attribute name="schemaLocation"><xsl:value-of select="$loc"/></xsl:attribute>
      </xsl:if>
      <xsl:apply-templates select="node()"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>
</xsl:stylesheet>
XSL

count=$(xmllint --xpath 'count(/*[local-name()="definitions"]/*[local-name()="types"]/*[local-name()="schema"])' "$wsdl")
case $count in
    ''|0|*[!0-9]*) echo "$0: no inline xs:schema found in $wsdl" >&2; exit 1 ;;
esac
n=1
while [ "$n" -le "$count" ]; do
    xsltproc --nonet --stringparam which "$n" "$xsl" "$wsdl" > "$out/hub-schema-$n.xsd"
    n=$((n + 1))
done
xsltproc --nonet --stringparam which driver "$xsl" "$wsdl" > "$out/driver.xsd"
