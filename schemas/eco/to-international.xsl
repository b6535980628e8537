<?xml version="1.0" encoding="UTF-8"?>
<!--
  swnode map: certificate of origin, domestic form -> international form.

  Input:  d:CertificateOfOrigin valid against domestic.xsd.
  Output: CertificateOfOrigin in urn:swnode:international:CertificateOfOrigin:1,
          valid against international.xsd.
  A pure function of the input: no parameters, no dates, no extensions.
  The inverse is to-domestic.xsl; docs/doctypes/eco.md lists the mapping.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:d="urn:swnode:domestic:eco:1"
                xmlns="urn:swnode:international:CertificateOfOrigin:1"
                exclude-result-prefixes="d">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:template match="/">
    <xsl:apply-templates select="d:CertificateOfOrigin"/>
  </xsl:template>

  <xsl:template match="d:CertificateOfOrigin">
    <CertificateOfOrigin>
      <ExchangedDocument>
        <ID><xsl:value-of select="d:CertificateNumber"/></ID>
        <TypeCode><xsl:apply-templates select="d:CertificateType"/></TypeCode>
        <IssueDateTime><xsl:value-of select="d:IssueDate"/></IssueDateTime>
        <xsl:if test="d:Remarks">
          <IncludedNote>
            <Content><xsl:value-of select="d:Remarks"/></Content>
          </IncludedNote>
        </xsl:if>
        <xsl:if test="d:ReplacesCertificateNumber">
          <ReferenceReferencedDocument>
            <TypeCode><xsl:apply-templates select="d:CertificateType"/></TypeCode>
            <ID><xsl:value-of select="d:ReplacesCertificateNumber"/></ID>
          </ReferenceReferencedDocument>
        </xsl:if>
        <FirstSignatoryDocumentAuthentication>
          <ActualDateTime><xsl:value-of select="d:Certification/d:Date"/></ActualDateTime>
          <ProviderTradeParty>
            <Name><xsl:value-of select="d:IssuingAuthority/d:Name"/></Name>
            <SpecifiedAuthoritativeSignatoryPerson>
              <Name><xsl:value-of select="d:Certification/d:Signatory"/></Name>
            </SpecifiedAuthoritativeSignatoryPerson>
          </ProviderTradeParty>
          <IssueLogisticsLocation>
            <Name><xsl:value-of select="d:Certification/d:Place"/></Name>
          </IssueLogisticsLocation>
        </FirstSignatoryDocumentAuthentication>
        <SecondSignatoryDocumentAuthentication>
          <ActualDateTime><xsl:value-of select="d:ExporterDeclaration/d:Date"/></ActualDateTime>
          <ProviderTradeParty>
            <Name><xsl:value-of select="d:Exporter/d:Name"/></Name>
            <xsl:if test="d:ExporterDeclaration/d:Signatory">
              <SpecifiedAuthoritativeSignatoryPerson>
                <Name><xsl:value-of select="d:ExporterDeclaration/d:Signatory"/></Name>
              </SpecifiedAuthoritativeSignatoryPerson>
            </xsl:if>
          </ProviderTradeParty>
          <IssueLogisticsLocation>
            <Name><xsl:value-of select="d:ExporterDeclaration/d:Place"/></Name>
          </IssueLogisticsLocation>
        </SecondSignatoryDocumentAuthentication>
        <IssuerTradeParty>
          <ID><xsl:value-of select="d:IssuingAuthority/d:Code"/></ID>
          <Name><xsl:value-of select="d:IssuingAuthority/d:Name"/></Name>
        </IssuerTradeParty>
      </ExchangedDocument>
      <Status><xsl:apply-templates select="d:Status"/></Status>
      <IsPreferential><xsl:value-of select="d:Preferential"/></IsPreferential>
      <xsl:if test="d:FreeTradeAgreement">
        <FreeTradeAgreement><xsl:apply-templates select="d:FreeTradeAgreement"/></FreeTradeAgreement>
      </xsl:if>
      <SpecifiedConsignment>
        <xsl:if test="d:Transport/d:DepartureDate">
          <ExportExitDateTime><xsl:value-of select="d:Transport/d:DepartureDate"/></ExportExitDateTime>
        </xsl:if>
        <ConsignorTradeParty>
          <xsl:apply-templates select="d:Exporter" mode="party"/>
        </ConsignorTradeParty>
        <ConsigneeTradeParty>
          <xsl:apply-templates select="d:Consignee" mode="party"/>
        </ConsigneeTradeParty>
        <xsl:apply-templates select="d:Items/d:Item"/>
        <MainCarriageLogisticsTransportMovement>
          <ModeCode><xsl:apply-templates select="d:Transport/d:Mode"/></ModeCode>
          <xsl:if test="d:Transport/d:VoyageNumber">
            <ID><xsl:value-of select="d:Transport/d:VoyageNumber"/></ID>
          </xsl:if>
          <xsl:if test="d:Transport/d:MeansName">
            <UsedLogisticsTransportMeans>
              <Name><xsl:value-of select="d:Transport/d:MeansName"/></Name>
            </UsedLogisticsTransportMeans>
          </xsl:if>
        </MainCarriageLogisticsTransportMovement>
        <UnloadingLogisticsLocation>
          <xsl:apply-templates select="d:Transport/d:DischargePort" mode="port"/>
        </UnloadingLogisticsLocation>
        <xsl:if test="d:Transport/d:LoadingPort">
          <LoadingLogisticsLocation>
            <xsl:apply-templates select="d:Transport/d:LoadingPort" mode="port"/>
          </LoadingLogisticsLocation>
        </xsl:if>
      </SpecifiedConsignment>
    </CertificateOfOrigin>
  </xsl:template>

  <!-- Exporter / consignee -> UN/CEFACT trade party with postal address. -->
  <xsl:template match="d:Exporter | d:Consignee" mode="party">
    <xsl:if test="d:ID">
      <ID><xsl:value-of select="d:ID"/></ID>
    </xsl:if>
    <Name><xsl:value-of select="d:Name"/></Name>
    <PostalTradeAddress>
      <LineOne><xsl:value-of select="d:AddressLine[1]"/></LineOne>
      <xsl:if test="d:AddressLine[2]">
        <LineTwo><xsl:value-of select="d:AddressLine[2]"/></LineTwo>
      </xsl:if>
      <xsl:if test="d:AddressLine[3]">
        <LineThree><xsl:value-of select="d:AddressLine[3]"/></LineThree>
      </xsl:if>
      <CountryID><xsl:value-of select="d:Country"/></CountryID>
    </PostalTradeAddress>
  </xsl:template>

  <xsl:template match="d:LoadingPort | d:DischargePort" mode="port">
    <ID><xsl:value-of select="d:Code"/></ID>
    <xsl:if test="d:Name">
      <Name><xsl:value-of select="d:Name"/></Name>
    </xsl:if>
  </xsl:template>

  <!-- One domestic item -> one consignment item with one trade line item.
       The document-level invoice is repeated on every line, as the BSP
       model carries the invoice reference per trade line item. -->
  <xsl:template match="d:Item">
    <xsl:variable name="doc" select="ancestor::d:CertificateOfOrigin"/>
    <IncludedConsignmentItem>
      <IncludedTradeLineItem>
        <SequenceNumeric><xsl:value-of select="d:SequenceNumber"/></SequenceNumeric>
        <SpecifiedTradeProduct>
          <Description><xsl:value-of select="d:Description"/></Description>
          <DesignatedProductClassification>
            <SystemID>HS</SystemID>
            <ClassCode><xsl:value-of select="d:HSCode"/></ClassCode>
          </DesignatedProductClassification>
          <OriginTradeCountry>
            <ID><xsl:value-of select="d:OriginCountry"/></ID>
          </OriginTradeCountry>
          <xsl:if test="d:Manufacturer">
            <ManufacturerTradeParty>
              <xsl:if test="d:Manufacturer/d:ID">
                <ID><xsl:value-of select="d:Manufacturer/d:ID"/></ID>
              </xsl:if>
              <Name><xsl:value-of select="d:Manufacturer/d:Name"/></Name>
              <xsl:if test="d:Manufacturer/d:Country">
                <PostalTradeAddress>
                  <CountryID><xsl:value-of select="d:Manufacturer/d:Country"/></CountryID>
                </PostalTradeAddress>
              </xsl:if>
            </ManufacturerTradeParty>
          </xsl:if>
        </SpecifiedTradeProduct>
        <ProductQuantity unitCode="{d:Quantity/@unit}"><xsl:value-of select="d:Quantity"/></ProductQuantity>
        <PhysicalReferencedLogisticsPackage>
          <ItemQuantity><xsl:value-of select="d:Packages/d:Count"/></ItemQuantity>
          <LevelCode>3</LevelCode>
          <TypeCode><xsl:value-of select="d:Packages/d:Kind"/></TypeCode>
          <xsl:if test="d:GrossWeight">
            <GrossWeightMeasure unitCode="{d:GrossWeight/@unit}"><xsl:value-of select="d:GrossWeight"/></GrossWeightMeasure>
          </xsl:if>
        </PhysicalReferencedLogisticsPackage>
        <xsl:if test="$doc/d:Invoice">
          <InvoiceAssociatedReferencedDocument>
            <ID><xsl:value-of select="$doc/d:Invoice/d:Number"/></ID>
            <xsl:if test="$doc/d:Invoice/d:Date">
              <FormattedIssueDateTime><xsl:value-of select="$doc/d:Invoice/d:Date"/></FormattedIssueDateTime>
            </xsl:if>
          </InvoiceAssociatedReferencedDocument>
        </xsl:if>
      </IncludedTradeLineItem>
      <xsl:if test="d:OriginCriterion or d:OriginCriterionText">
        <ApplicableCrossBorderRegulatoryProcedure>
          <xsl:if test="d:OriginCriterion">
            <ExportLicenceControlClassificationID><xsl:value-of select="d:OriginCriterion"/></ExportLicenceControlClassificationID>
          </xsl:if>
          <xsl:if test="d:OriginCriterionText">
            <OriginCriteriaText><xsl:value-of select="d:OriginCriterionText"/></OriginCriteriaText>
          </xsl:if>
        </ApplicableCrossBorderRegulatoryProcedure>
      </xsl:if>
    </IncludedConsignmentItem>
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

  <!-- Transport mode -> UN/ECE Recommendation 19 code. -->
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

  <!-- Agreement code -> agreement name used in the international form. -->
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
