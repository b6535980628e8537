<?xml version="1.0" encoding="UTF-8"?>
<!--
  swnode map: certificate of origin, domestic form -> partner profile
  eco-cefact (XML rendering of the UN/CEFACT BSP preferential CoO, D22A).

  Input:  d:CertificateOfOrigin valid against ../eco/domestic.xsd (the same
          domestic form as the eco doctype).
  Output: p:bspPreferentialCoO in urn:swnode:partner:eco-cefact:1, valid
          against international.xsd.
  A pure function of the input: no parameters, no dates, no extensions.
  The inverse is to-domestic.xsl; docs/doctypes/eco-cefact.md lists the
  mapping.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:d="urn:swnode:domestic:eco:1"
                xmlns="urn:swnode:partner:eco-cefact:1"
                exclude-result-prefixes="d">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:template match="/">
    <xsl:if test="not(d:CertificateOfOrigin)">
      <xsl:message terminate="yes">to-international: root element is not CertificateOfOrigin in urn:swnode:domestic:eco:1</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="d:CertificateOfOrigin"/>
  </xsl:template>

  <xsl:template match="d:CertificateOfOrigin">
    <bspPreferentialCoO>
      <exchangedDocument>
        <id><xsl:value-of select="d:CertificateNumber"/></id>
        <typeCode><xsl:apply-templates select="d:CertificateType"/></typeCode>
        <issueDateTime><xsl:value-of select="d:IssueDate"/></issueDateTime>
        <xsl:if test="d:Remarks">
          <includedNote>
            <content><xsl:value-of select="d:Remarks"/></content>
          </includedNote>
        </xsl:if>
        <xsl:if test="d:ReplacesCertificateNumber">
          <referenceReferencedDocument>
            <typeCode><xsl:apply-templates select="d:CertificateType"/></typeCode>
            <id><xsl:value-of select="d:ReplacesCertificateNumber"/></id>
          </referenceReferencedDocument>
        </xsl:if>
        <firstSignatoryDocumentAuthentication>
          <actualDateTime><xsl:value-of select="d:Certification/d:Date"/></actualDateTime>
          <provider>
            <specifiedAuthoritativeSignatoryPerson>
              <name><xsl:value-of select="d:Certification/d:Signatory"/></name>
            </specifiedAuthoritativeSignatoryPerson>
          </provider>
          <issueLogisticsLocation>
            <name><xsl:value-of select="d:Certification/d:Place"/></name>
          </issueLogisticsLocation>
        </firstSignatoryDocumentAuthentication>
        <issuer>
          <id><xsl:value-of select="d:IssuingAuthority/d:Code"/></id>
          <name><xsl:value-of select="d:IssuingAuthority/d:Name"/></name>
        </issuer>
        <x-status><xsl:apply-templates select="d:Status"/></x-status>
        <x-exporterDeclaration>
          <actualDateTime><xsl:value-of select="d:ExporterDeclaration/d:Date"/></actualDateTime>
          <issueLogisticsLocation>
            <name><xsl:value-of select="d:ExporterDeclaration/d:Place"/></name>
          </issueLogisticsLocation>
        </x-exporterDeclaration>
      </exchangedDocument>
      <specifiedConsignment>
        <xsl:if test="d:Transport/d:DepartureDate">
          <exportExitDateTime><xsl:value-of select="d:Transport/d:DepartureDate"/></exportExitDateTime>
        </xsl:if>
        <consignor>
          <xsl:apply-templates select="d:Exporter" mode="party"/>
          <xsl:if test="d:ExporterDeclaration/d:Signatory">
            <specifiedAuthoritativeSignatoryPerson>
              <name><xsl:value-of select="d:ExporterDeclaration/d:Signatory"/></name>
            </specifiedAuthoritativeSignatoryPerson>
          </xsl:if>
        </consignor>
        <consignee>
          <xsl:apply-templates select="d:Consignee" mode="party"/>
        </consignee>
        <xsl:apply-templates select="d:Items/d:Item"/>
        <mainCarriageLogisticsTransportMovement>
          <modeCode><xsl:apply-templates select="d:Transport/d:Mode"/></modeCode>
          <xsl:if test="d:Transport/d:VoyageNumber">
            <id><xsl:value-of select="d:Transport/d:VoyageNumber"/></id>
          </xsl:if>
          <xsl:if test="d:Transport/d:MeansName">
            <usedLogisticsTransportMeans>
              <name><xsl:value-of select="d:Transport/d:MeansName"/></name>
            </usedLogisticsTransportMeans>
          </xsl:if>
        </mainCarriageLogisticsTransportMovement>
        <applicableCrossBorderRegulatoryProcedure>
          <xsl:if test="d:FreeTradeAgreement">
            <freeTradeAgreementName><xsl:apply-templates select="d:FreeTradeAgreement"/></freeTradeAgreementName>
          </xsl:if>
          <x-isPreferential><xsl:value-of select="d:Preferential"/></x-isPreferential>
        </applicableCrossBorderRegulatoryProcedure>
        <unloadingLogisticsLocation>
          <xsl:apply-templates select="d:Transport/d:DischargePort" mode="port"/>
        </unloadingLogisticsLocation>
        <xsl:if test="d:Transport/d:LoadingPort">
          <loadingLogisticsLocation>
            <xsl:apply-templates select="d:Transport/d:LoadingPort" mode="port"/>
          </loadingLogisticsLocation>
        </xsl:if>
      </specifiedConsignment>
    </bspPreferentialCoO>
  </xsl:template>

  <!-- Exporter / consignee: id, name and postal address of the trade party. -->
  <xsl:template match="d:Exporter | d:Consignee" mode="party">
    <xsl:if test="d:ID">
      <id><xsl:value-of select="d:ID"/></id>
    </xsl:if>
    <name><xsl:value-of select="d:Name"/></name>
    <postalTradeAddress>
      <lineOne><xsl:value-of select="d:AddressLine[1]"/></lineOne>
      <xsl:if test="d:AddressLine[2]">
        <lineTwo><xsl:value-of select="d:AddressLine[2]"/></lineTwo>
      </xsl:if>
      <xsl:if test="d:AddressLine[3]">
        <lineThree><xsl:value-of select="d:AddressLine[3]"/></lineThree>
      </xsl:if>
      <countryId><xsl:value-of select="d:Country"/></countryId>
    </postalTradeAddress>
  </xsl:template>

  <xsl:template match="d:LoadingPort | d:DischargePort" mode="port">
    <id><xsl:value-of select="d:Code"/></id>
    <xsl:if test="d:Name">
      <name><xsl:value-of select="d:Name"/></name>
    </xsl:if>
  </xsl:template>

  <!-- One domestic item -> one consignment item (its id is the item
       number) holding one trade line item.  The model references the
       invoice per trade line item, so the document's invoice is repeated
       on every line. -->
  <xsl:template match="d:Item">
    <xsl:variable name="doc" select="ancestor::d:CertificateOfOrigin"/>
    <includedConsignmentItem>
      <id><xsl:value-of select="d:SequenceNumber"/></id>
      <includedTradeLineItem>
        <specifiedTradeProduct>
          <commonName><xsl:value-of select="d:Description"/></commonName>
          <designatedProductClassification>
            <systemId>HS</systemId>
            <classCode><xsl:value-of select="d:HSCode"/></classCode>
          </designatedProductClassification>
          <originTradeCountry>
            <id><xsl:value-of select="d:OriginCountry"/></id>
          </originTradeCountry>
          <xsl:if test="d:Manufacturer">
            <manufacturer>
              <xsl:if test="d:Manufacturer/d:ID">
                <id><xsl:value-of select="d:Manufacturer/d:ID"/></id>
              </xsl:if>
              <name><xsl:value-of select="d:Manufacturer/d:Name"/></name>
              <xsl:if test="d:Manufacturer/d:Country">
                <postalTradeAddress>
                  <countryId><xsl:value-of select="d:Manufacturer/d:Country"/></countryId>
                </postalTradeAddress>
              </xsl:if>
            </manufacturer>
          </xsl:if>
        </specifiedTradeProduct>
        <physicalReferencedLogisticsPackage>
          <itemQuantity><xsl:value-of select="d:Packages/d:Count"/></itemQuantity>
          <levelCode>3</levelCode>
          <typeCode><xsl:value-of select="d:Packages/d:Kind"/></typeCode>
          <xsl:if test="d:GrossWeight">
            <grossWeightMeasure unitCode="{d:GrossWeight/@unit}"><xsl:value-of select="d:GrossWeight"/></grossWeightMeasure>
          </xsl:if>
        </physicalReferencedLogisticsPackage>
        <xsl:if test="$doc/d:Invoice">
          <invoiceAssociatedReferencedDocument>
            <typeCode>380</typeCode>
            <id><xsl:value-of select="$doc/d:Invoice/d:Number"/></id>
            <xsl:if test="$doc/d:Invoice/d:Date">
              <formattedIssueDateTime><xsl:value-of select="$doc/d:Invoice/d:Date"/></formattedIssueDateTime>
            </xsl:if>
          </invoiceAssociatedReferencedDocument>
        </xsl:if>
        <x-productQuantity unitCode="{d:Quantity/@unit}"><xsl:value-of select="d:Quantity"/></x-productQuantity>
      </includedTradeLineItem>
      <xsl:if test="d:OriginCriterion or d:OriginCriterionText">
        <applicableCrossBorderRegulatoryProcedure>
          <xsl:if test="d:OriginCriterionText">
            <originCriteria><xsl:value-of select="d:OriginCriterionText"/></originCriteria>
          </xsl:if>
          <xsl:if test="d:OriginCriterion">
            <exportLicenceControlClassificationId><xsl:value-of select="d:OriginCriterion"/></exportLicenceControlClassificationId>
          </xsl:if>
        </applicableCrossBorderRegulatoryProcedure>
      </xsl:if>
    </includedConsignmentItem>
  </xsl:template>

  <!-- ============ code lists (inverse tables in to-domestic.xsl) ============ -->

  <!-- Certificate type -> UNTDID 1001 document name code. -->
  <xsl:template match="d:CertificateType">
    <xsl:choose>
      <xsl:when test=". = 'Application'">860</xsl:when>
      <xsl:when test=". = 'NonPreferential'">861</xsl:when>
      <xsl:when test=". = 'Preferential'">864</xsl:when>
      <xsl:when test=". = 'GSP'">865</xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="d:Status">
    <xsl:choose>
      <xsl:when test=". = 'Issued'">issued</xsl:when>
      <xsl:when test=". = 'Replaced'">replaced</xsl:when>
      <xsl:when test=". = 'Cancelled'">cancelled</xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- Transport mode -> UNTDID 8067 / UN/ECE Recommendation 19 code. -->
  <xsl:template match="d:Mode">
    <xsl:choose>
      <xsl:when test=". = 'Sea'">1</xsl:when>
      <xsl:when test=". = 'Rail'">2</xsl:when>
      <xsl:when test=". = 'Road'">3</xsl:when>
      <xsl:when test=". = 'Air'">4</xsl:when>
      <xsl:when test=". = 'Mail'">5</xsl:when>
      <xsl:when test=". = 'Multimodal'">6</xsl:when>
      <xsl:when test=". = 'FixedInstallation'">7</xsl:when>
      <xsl:when test=". = 'InlandWaterway'">8</xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- Agreement code -> freeTradeAgreementName. -->
  <xsl:template match="d:FreeTradeAgreement">
    <xsl:choose>
      <xsl:when test=". = 'CN-ASEAN'">ASEAN-China Free Trade Area</xsl:when>
      <xsl:when test=". = 'RCEP'">Regional Comprehensive Economic Partnership</xsl:when>
      <xsl:when test=". = 'CN-KR'">China-Korea Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-PK'">China-Pakistan Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-NZ'">China-New Zealand Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-AU'">China-Australia Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-SG'">China-Singapore Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-CL'">China-Chile Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-PE'">China-Peru Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-CR'">China-Costa Rica Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-CH'">China-Switzerland Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-IS'">China-Iceland Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-GE'">China-Georgia Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-MU'">China-Mauritius Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-KH'">China-Cambodia Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-RS'">China-Serbia Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-NI'">China-Nicaragua Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'CN-EC'">China-Ecuador Free Trade Agreement</xsl:when>
      <xsl:when test=". = 'APTA'">Asia-Pacific Trade Agreement</xsl:when>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
